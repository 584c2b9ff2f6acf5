import { randomBytes } from "node:crypto";
import {
  type Callback,
  createCallbackSigner,
  deriveRequestSecret,
  PROTOCOL_VERSION,
  serializeCallback,
} from "@baton/agent-protocol";
import { type LocalStack, type StackDispatch, startLocalStack } from "@baton/stack";
import { FIXTURE_WORKSPACE } from "@baton/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const BACKENDS = ["sqlite", "redis"] as const;
const FIVE_MINUTES_MS = 5 * 60_000;

interface Target {
  dispatch: StackDispatch;
  threadTs: string;
}

describe.each(BACKENDS)("callbacks that fail verification, on %s", (backend) => {
  let stack: LocalStack;
  let victim: Target;
  let other: Target;

  /** A request whose agent never calls back, so only the test's forgeries reach Baton. */
  async function idleRequest(text: string): Promise<Target> {
    const { threadTs } = await stack.mention(`${text} [never]`);
    const dispatch = await stack.waitForDispatch(threadTs);
    await stack.waitForRecord(dispatch.botRequestId, (r) => r.status === "running");
    return { dispatch, threadTs };
  }

  function completedFor(target: Target): Callback {
    return {
      protocolVersion: PROTOCOL_VERSION,
      type: "completed",
      botRequestId: target.dispatch.botRequestId,
      agentSessionId: target.dispatch.agentSessionId ?? "sess_unknown",
      executionId: target.dispatch.executionId ?? "exec_unknown",
      sequence: 1,
      sentAt: new Date().toISOString(),
      text: "A forged answer that must never be posted.",
    };
  }

  /** POSTs `callback` to `urlFor`'s callback URL, signed with `signingSecret` at `now`. */
  async function send(urlFor: Target, callback: Callback, signingSecret: string, now = Date.now()) {
    const signer = createCallbackSigner({ signingSecret, now: () => now });
    const body = serializeCallback(callback);
    const headers = signer.sign(`msg_forged_${randomBytes(6).toString("hex")}`, body);
    const url = `${stack.server.url}/api/internal/bot-session-callback/${urlFor.dispatch.botRequestId}`;
    const response = await fetch(url, {
      method: "POST",
      headers: { ...headers, "content-type": "application/json" },
      body,
    });
    return {
      status: response.status,
      body: (await response.json()) as { error?: { code?: string } },
    };
  }

  const serverSecret = () => stack.env.BATON_CALLBACK_SECRETS as string;
  const secretOf = (target: Target) =>
    deriveRequestSecret(serverSecret(), target.dispatch.botRequestId);

  async function snapshot(target: Target) {
    const id = target.dispatch.botRequestId;
    return {
      record: await stack.record(id),
      messageState: await stack.messageState(id),
      replies: stack.replies(target.threadTs).map((m) => m.text),
    };
  }

  beforeAll(async () => {
    stack = await startLocalStack({ backend });
    victim = await idleRequest("the request under attack");
    other = await idleRequest("another request");
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("refuses a forged signature with 401 and changes nothing", async () => {
    const before = await snapshot(victim);
    const forgedSecret = `whsec_${randomBytes(32).toString("base64")}`;
    const answer = await send(victim, completedFor(victim), forgedSecret);
    expect(answer).toEqual({ status: 401, body: { error: { code: "bad_signature" } } });
    expect(await snapshot(victim)).toEqual(before);
    expect(before.record?.status).toBe("running");
    expect(before.messageState.kind).toBe("found");
  });

  it("refuses a correctly signed but expired callback with 401 and changes nothing", async () => {
    const before = await snapshot(victim);
    const stale = Date.now() - FIVE_MINUTES_MS - 60_000;
    const answer = await send(victim, completedFor(victim), secretOf(victim), stale);
    expect(answer).toEqual({ status: 401, body: { error: { code: "timestamp_too_old" } } });
    expect(await snapshot(victim)).toEqual(before);
  });

  it("refuses another request's credential with 401 and changes neither request", async () => {
    const before = { victim: await snapshot(victim), other: await snapshot(other) };
    const answer = await send(victim, completedFor(victim), secretOf(other));
    expect(answer).toEqual({ status: 401, body: { error: { code: "bad_signature" } } });
    // Signed for its own URL, the other request's credential cannot speak for the victim either.
    const smuggled = await send(other, completedFor(victim), secretOf(other));
    expect(smuggled.status).toBe(400);
    expect(smuggled.body.error?.code).toBe("request_mismatch");
    expect({ victim: await snapshot(victim), other: await snapshot(other) }).toEqual(before);
  });

  it("refuses a Slack event with a forged signature or an old timestamp with 401", async () => {
    const before = stack.agent.dispatches().length;
    const base = {
      channel: stack.channel,
      user: FIXTURE_WORKSPACE.human.id,
      text: "forged mention",
    };
    const forged = await stack.slack.mention({ ...base, signingSecret: "not-the-signing-secret" });
    expect(forged.status).toBe(401);
    const stale = await stack.slack.mention({
      ...base,
      timestampSeconds: Math.floor((Date.now() - FIVE_MINUTES_MS - 60_000) / 1000),
    });
    expect(stale.status).toBe(401);
    expect(stack.agent.dispatches()).toHaveLength(before);
  });

  it("serves no benchmark route unless the benchmark turns them on", async () => {
    const before = stack.replies(victim.threadTs).length;
    const thread = encodeURIComponent(`slack:${stack.channel}:${victim.threadTs}`);
    for (const path of ["/api/bench/bare", `/api/bench/post?thread=${thread}`]) {
      const response = await fetch(`${stack.server.url}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ text: "posted by a benchmark route" }),
      });
      expect({ path, status: response.status, body: await response.json() }).toEqual({
        path,
        status: 404,
        body: { error: { code: "not_found" } },
      });
    }
    expect(stack.replies(victim.threadTs)).toHaveLength(before);
  });
});
