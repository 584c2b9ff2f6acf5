import { createHmac } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSqliteState } from "@baton/state-sqlite";
import { countStateCalls } from "@baton/testing";
import { verifySlackSignature } from "@chat-adapter/slack/webhook";
import type { StateAdapter } from "chat";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { acknowledgedWebhook } from "./acknowledged-webhook";

const SIGNING_SECRET = "webhook-test-signing-secret";

function slackRequest(body: string, secret: string): Request {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = `v0=${createHmac("sha256", secret).update(`v0:${timestamp}:${body}`).digest("hex")}`;
  return new Request("http://127.0.0.1/api/webhooks/slack", {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-slack-request-timestamp": timestamp,
      "x-slack-signature": signature,
    },
    body,
  });
}

const verifySignature = (body: string, headers: Headers) =>
  verifySlackSignature(body, headers, { signingSecret: SIGNING_SECRET }).then(
    () => true,
    () => false,
  );

describe("the acknowledged webhook", () => {
  let dir: string;
  let state: StateAdapter;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "baton-webhook-"));
    state = createSqliteState({ path: join(dir, "state.sqlite") });
    await state.connect();
  });
  afterEach(async () => {
    await state.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  function deliver(request: Request, counted: ReturnType<typeof countStateCalls>) {
    let handled = 0;
    const answer = acknowledgedWebhook({
      request,
      platform: "slack",
      handle: async () => {
        handled++;
        return new Response("ok");
      },
      verifySignature,
      state: counted.state,
      isMentionStored: async () => true,
      defer: () => undefined,
    });
    return answer.then((response) => ({ response, handled }));
  }

  it("checks the signature before it touches the store: a forged webhook gets 401, nothing read", async () => {
    const counted = countStateCalls(state);
    const body = JSON.stringify({
      type: "event_callback",
      event_id: "Ev1",
      event: { type: "app_mention", ts: "1.0" },
    });
    const { response, handled } = await deliver(slackRequest(body, "not-the-secret"), counted);
    expect(response.status).toBe(401);
    expect(handled).toBe(0);
    expect(counted.total()).toBe(0);
  });

  it("passes a genuine webhook on to the SDK after probing the store", async () => {
    const counted = countStateCalls(state);
    const body = JSON.stringify({
      type: "event_callback",
      event_id: "Ev2",
      event: { type: "reaction_added" },
    });
    const { response, handled } = await deliver(slackRequest(body, SIGNING_SECRET), counted);
    expect(response.status).toBe(200);
    expect(handled).toBe(1);
    expect(counted.counts()).toMatchObject({ get: 1 });
  });
});
