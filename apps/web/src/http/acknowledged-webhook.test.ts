import { createHmac } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { drainDeliveryInbox, type RecordedDelivery, webhookInboxKey } from "@baton/core";
import { createSqliteState } from "@baton/state-sqlite";
import { countStateCalls } from "@baton/testing";
import { verifySlackSignature } from "@chat-adapter/slack/webhook";
import { ConsoleLogger, type StateAdapter } from "chat";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { acknowledgedWebhook, type WebhookHandler } from "./acknowledged-webhook";
import { createDeliveryReplay, slackSigner } from "./delivery-replay";
import { createProcessingSlots } from "./processing-slots";

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

  const logger = new ConsoleLogger("silent");

  /** Stands in for the SDK's webhook entry: answers, then runs `work` as its deferred handler. */
  function sdk(work: (request: Request) => Promise<void>) {
    const seen: Request[] = [];
    const handle: WebhookHandler = async (request, options) => {
      seen.push(request);
      options.waitUntil(work(request.clone()));
      return new Response("ok");
    };
    return { handle, seen };
  }

  function deliver(
    request: Request,
    counted: ReturnType<typeof countStateCalls>,
    handle: WebhookHandler = sdk(async () => undefined).handle,
  ) {
    const deferred: Promise<unknown>[] = [];
    const answer = acknowledgedWebhook({
      request,
      platform: "slack",
      handle,
      verifySignature,
      state: counted.state,
      defer: (task) => void deferred.push(task),
      now: Date.now,
      logger,
      slots: createProcessingSlots({ concurrency: 4, maxWaitMs: 5_000, now: Date.now }),
    });
    return answer.then((response) => ({
      response,
      finished: () => Promise.all(deferred),
    }));
  }

  const mentionBody = (eventId: string) =>
    JSON.stringify({
      type: "event_callback",
      event_id: eventId,
      event: {
        type: "app_mention",
        ts: "1733200000.000100",
        text: "<@UBOT> why is p99 up since https://grafana.example.com/d/abc?from=now-6h — see `kubectl top pods --sort-by=cpu`",
      },
    });

  it("checks the signature before it touches the store: a forged webhook gets 401, nothing read", async () => {
    const counted = countStateCalls(state);
    const fake = sdk(async () => undefined);
    const { response } = await deliver(
      slackRequest(mentionBody("Ev1"), "not-the-secret"),
      counted,
      fake.handle,
    );
    expect(response.status).toBe(401);
    expect(fake.seen).toHaveLength(0);
    expect(counted.total()).toBe(0);
  });

  it("records the delivery, answers before the SDK's handler ends, removes the record once processed", async () => {
    const counted = countStateCalls(state);
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const fake = sdk(() => gate);
    const { response, finished } = await deliver(
      slackRequest(mentionBody("EvLink"), SIGNING_SECRET),
      counted,
      fake.handle,
    );
    expect(response.status).toBe(200);
    // Answered while the handler still waits (the Slack adapter's unfurl wait stands here).
    const recorded = await state.get<RecordedDelivery>(webhookInboxKey("slack", "EvLink"));
    expect(recorded).toMatchObject({ deliveryId: "EvLink", body: mentionBody("EvLink") });
    release();
    await finished();
    expect(await state.get(webhookInboxKey("slack", "EvLink"))).toBeNull();
  });

  it("answers a retry of a recorded delivery 200 and changes nothing", async () => {
    const counted = countStateCalls(state);
    const fake = sdk(() => new Promise<void>(() => undefined));
    await deliver(slackRequest(mentionBody("EvRetry"), SIGNING_SECRET), counted, fake.handle);
    const before = await state.get(webhookInboxKey("slack", "EvRetry"));
    const retry = slackRequest(mentionBody("EvRetry"), SIGNING_SECRET);
    retry.headers.set("x-slack-retry-num", "1");
    retry.headers.set("x-slack-retry-reason", "http_timeout");
    const { response } = await deliver(retry, counted, fake.handle);
    expect(response.status).toBe(200);
    expect(fake.seen).toHaveLength(1);
    expect(await state.get(webhookInboxKey("slack", "EvRetry"))).toEqual(before);
  });

  it("keeps a delivery whose processing failed, and the drain replays it re-signed, once", async () => {
    const counted = countStateCalls(state);
    const failing = sdk(async () => {
      throw new Error("the store went away mid-way");
    });
    const { response, finished } = await deliver(
      slackRequest(mentionBody("EvLost"), SIGNING_SECRET),
      counted,
      failing.handle,
    );
    expect(response.status).toBe(200);
    await finished();
    expect(await state.get(webhookInboxKey("slack", "EvLost"))).not.toBeNull();

    const verified: boolean[] = [];
    const working = sdk(async (request) => {
      verified.push(await verifySignature(await request.text(), request.headers));
    });
    const replay = createDeliveryReplay({
      state,
      handlers: { slack: working.handle },
      signers: { slack: slackSigner(SIGNING_SECRET, Date.now) },
      url: "http://127.0.0.1/replay",
      defer: () => undefined,
    });
    const drain = (at: number) => drainDeliveryInbox({ state, now: () => at, logger, replay });
    // Too young to be lost: left to its first processor.
    expect(await drain(Date.now())).toMatchObject({ kind: "drained", found: 0 });
    // Ten minutes later (past Slack's 5-minute signature window): replayed and removed.
    const later = Date.now() + 10 * 60_000;
    expect(await drain(later)).toMatchObject({ kind: "drained", found: 1, processed: 1 });
    expect(verified).toEqual([true]);
    expect(await state.get(webhookInboxKey("slack", "EvLost"))).toBeNull();
    expect(await drain(later)).toMatchObject({ kind: "drained", found: 0 });
    expect(working.seen).toHaveLength(1);
  });
});
