import { randomBytes } from "node:crypto";
import {
  type Callback,
  createCallbackSigner,
  deriveRequestSecret,
  PROTOCOL_VERSION,
  serializeCallback,
} from "@baton/agent-protocol";
import { type LocalStack, type StackDispatch, startLocalStack, waitUntil } from "@baton/stack";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const BACKENDS = ["sqlite", "redis"] as const;

type TerminalFields =
  | { type: "completed"; text: string }
  | { type: "failed"; error: { code: string; message: string; retryable?: boolean } }
  | { type: "cancelled"; reason?: string };

/**
 * The protocol's rules an agent author relies on, through the built app: a terminal callback
 * from another execution than the accepted dispatch's is refused and logged; the user learns
 * whether asking again helps and why a request was cancelled.
 */
describe.each(BACKENDS)("the protocol's loose ends on %s", (backend) => {
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startLocalStack({ backend });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  /** A request the agent accepted and never answers: the test plays its terminal callback. */
  async function idleRequest(text: string) {
    const { threadTs } = await stack.mention(`${text} [never]`);
    const dispatch = await stack.waitForDispatch(threadTs);
    await stack.waitForRecord(dispatch.botRequestId, (r) => r.status === "running");
    return { dispatch, threadTs };
  }

  /** Signed with the request's own secret, as its agent would; `executionId` as given. */
  async function send(dispatch: StackDispatch, executionId: string, fields: TerminalFields) {
    const callback = {
      protocolVersion: PROTOCOL_VERSION,
      botRequestId: dispatch.botRequestId,
      agentSessionId: dispatch.agentSessionId ?? "sess_unknown",
      executionId,
      sequence: 1,
      sentAt: new Date().toISOString(),
      ...fields,
    } as Callback;
    const secret = deriveRequestSecret(
      stack.env.BATON_CALLBACK_SECRETS as string,
      dispatch.botRequestId,
    );
    const body = serializeCallback(callback);
    const headers = createCallbackSigner({ signingSecret: secret, now: Date.now }).sign(
      `msg_${randomBytes(6).toString("hex")}`,
      body,
    );
    const response = await fetch(
      `${stack.server.url}/api/internal/bot-session-callback/${dispatch.botRequestId}`,
      { method: "POST", headers: { ...headers, "content-type": "application/json" }, body },
    );
    return { status: response.status, body: (await response.json()) as unknown };
  }

  const botReply = (threadTs: string, text: string) =>
    stack.waitForReply(threadTs, (m) => m.isBot && m.text === text);

  it("refuses a terminal callback from another execution, logs it, and takes the real one", async () => {
    const { dispatch, threadTs } = await idleRequest("fix the flaky test");
    const forged = await send(dispatch, "exec_not_the_accepted_one", {
      type: "completed",
      text: "a forged answer",
    });
    expect(forged).toEqual({ status: 409, body: { error: { code: "execution_mismatch" } } });
    await waitUntil(
      () => /callback refused.*execution_mismatch/s.test(stack.server.output()) || undefined,
      { what: "the refusal in the server log" },
    );
    expect(stack.server.output()).toContain(dispatch.botRequestId);
    await expect(stack.record(dispatch.botRequestId)).resolves.toMatchObject({
      status: "running",
    });

    const real = await send(dispatch, dispatch.executionId ?? "", {
      type: "failed",
      error: { code: "repo_archived", message: "The repository is archived.", retryable: false },
    });
    expect(real).toEqual({ status: 200, body: { ok: true, outcome: "posted" } });
    await botReply(
      threadTs,
      "The agent could not finish this: The repository is archived.\n_Asking again the same way will not help._",
    );
    expect(stack.replies(threadTs).map((m) => m.text)).not.toContain("a forged answer");
  });

  it("answers another method 405 and an oversized body 413, each logged as a refused callback", async () => {
    const url = `${stack.server.url}/api/internal/bot-session-callback/req-method-check-1`;
    const get = await fetch(url);
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST");
    expect(await get.json()).toEqual({ error: { code: "method_not_allowed" } });
    const big = await fetch(url.replace("method-check", "size-check"), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "x".repeat(10 * 1024 * 1024),
    });
    expect(big.status).toBe(413);
    await waitUntil(
      () =>
        /callback refused.*req-method-check-1.*method_not_allowed/s.test(stack.server.output()) &&
        /callback refused.*req-size-check-1.*body_too_large/s.test(stack.server.output())
          ? true
          : undefined,
      { what: "both refusals in the server log" },
    );
  });

  it("shows a cancelled request's reason", async () => {
    const { dispatch, threadTs } = await idleRequest("rename the package");
    const answer = await send(dispatch, dispatch.executionId ?? "", {
      type: "cancelled",
      reason: "the branch was deleted while I worked",
    });
    expect(answer.status).toBe(200);
    await botReply(threadTs, "This request was cancelled: the branch was deleted while I worked");
  });
});
