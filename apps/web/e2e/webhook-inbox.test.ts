import { WEBHOOK_INBOX_DRAIN_INTERVAL_MS, WEBHOOK_INBOX_REPLAY_AFTER_MS } from "@baton/core";
import { type LocalStack, startLocalStack, waitUntil } from "@baton/stack";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dispatchesByThread } from "./support/dispatches";
import { sleep } from "./support/sleep";

const BACKENDS = ["sqlite", "redis"] as const;
/** The Slack adapter waits this long for link unfurls before Baton's handler runs. */
const UNFURL_WAIT_MS = 2_000;
/** Time for a (wrongly) second dispatch or reply to show, were there one. */
const QUIET_MS = 3_000;
/** A recorded delivery whose processor is gone is replayed by the next drain after this age. */
const REPLAYED_WITHIN_MS =
  WEBHOOK_INBOX_REPLAY_AFTER_MS + 2 * WEBHOOK_INBOX_DRAIN_INTERVAL_MS + 20_000;
const TEST_TIMEOUT_MS = 120_000;

/** A realistic request holding links as Slack sends them (`<url|label>`: the adapter then waits for unfurls), code and non-ASCII. */
const linkRequest = (tag: string) =>
  `${tag}: p99 on checkout jumped after the deploy — dashboard <https://grafana.example.com/d/api-latency?from=now-6h&var-service=checkout|the latency dashboard> ` +
  `and the runbook <https://wiki.example.com/runbooks/checkout#latency>. Compare with ` +
  "`kubectl top pods` in prod (sorted by CPU) and tell me whether the café-service (☕) is the culprit.";

const isAnswer = (text: string) => text.includes("Baton demo agent");

describe.each(BACKENDS)("webhooks answered at once from the inbox, on %s", (backend) => {
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startLocalStack({
      backend,
      agent: { demo: { delayMs: 200, progressSteps: 0 } },
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const dispatchCount = (threadTs: string) => dispatchesByThread(stack).get(threadTs)?.length ?? 0;

  it("acknowledges a mention holding links before the unfurl wait, and answers it once", async () => {
    const text = linkRequest("fast ack");
    const { threadTs, delivery } = await stack.mention(text);
    // Recorded, answered: the SDK is still waiting for unfurls, nothing is stored yet.
    const storedAtAck = await stack.botRequestIdFor(threadTs);
    const inInboxAtAck = await stack.isDeliveryInInbox(delivery.eventId);
    const answer = await stack.waitForReply(threadTs, (m) => m.isBot && isAnswer(m.text), 30_000);
    await sleep(QUIET_MS);
    console.log(
      `[${backend} link mention] acknowledged ${delivery.status} in ${Math.round(delivery.durationMs)} ms ` +
        `(the adapter's unfurl wait is ${UNFURL_WAIT_MS} ms); stored at the ack: ${storedAtAck !== undefined}; ` +
        `in the inbox at the ack: ${inInboxAtAck}`,
    );
    expect(delivery.status).toBe(200);
    expect(delivery.durationMs).toBeLessThan(UNFURL_WAIT_MS);
    expect(storedAtAck).toBeUndefined();
    expect(inInboxAtAck).toBe(true);
    expect(answer.text).toContain(text.slice(0, text.indexOf(" — ")));
    expect(stack.replies(threadTs).filter((m) => m.isBot)).toHaveLength(1);
    expect(dispatchCount(threadTs)).toBe(1);
    // Processed: the record is gone.
    expect(await stack.isDeliveryInInbox(delivery.eventId)).toBe(false);
  });

  it("answers Slack's retries of a recorded delivery 200, and they change nothing", async () => {
    const { threadTs, delivery } = await stack.mention(linkRequest("retried"));
    // Retries while the first is still being processed, and after it was stored.
    const during = await Promise.all([
      stack.slack.redeliver(delivery.eventId, "http_timeout"),
      stack.slack.redeliver(delivery.eventId, "http_timeout"),
    ]);
    const dispatch = await stack.waitForDispatch(threadTs, 30_000);
    const after = await stack.slack.redeliver(delivery.eventId, "http_timeout");
    await stack.waitForReply(threadTs, (m) => m.isBot && isAnswer(m.text), 30_000);
    await sleep(QUIET_MS);
    console.log(
      `[${backend} retried delivery] retries during processing: ${during.map((d) => `${d.status} in ${Math.round(d.durationMs)} ms`).join(", ")}; ` +
        `after: ${after.status}; dispatches ${dispatchCount(threadTs)}`,
    );
    expect([...during, after].map((d) => d.status)).toEqual([200, 200, 200]);
    expect(dispatchCount(threadTs)).toBe(1);
    expect(await stack.botRequestIdFor(threadTs)).toBe(dispatch.botRequestId);
    expect(stack.replies(threadTs).filter((m) => m.isBot)).toHaveLength(1);
  });
});

describe("a recorded delivery whose instance died right after acknowledging it, two instances on redis", () => {
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startLocalStack({
      backend: "redis",
      instances: 2,
      agent: { demo: { delayMs: 200, progressSteps: 0 } },
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it(
    "is processed by the surviving instance, exactly once",
    async () => {
      const proxy = stack.proxy;
      if (!proxy) throw new Error("two instances run behind the proxy");
      const total = (counts: Record<string, number>) =>
        Object.values(counts).reduce((sum, n) => sum + n, 0);
      const before = proxy.stats().forwarded;
      const text = linkRequest("orphaned");
      const { threadTs, delivery } = await stack.mention(text);
      const acknowledgedAt = Date.now();
      const counts = proxy.stats().forwarded;
      const victim = stack.servers.find((s) => (counts[s.url] ?? 0) - (before[s.url] ?? 0) === 1);
      const survivor = stack.servers.find((s) => s !== victim);
      if (!victim || !survivor) throw new Error("two instances, one answered");
      expect(total(counts)).toBe(total(before) + 1);
      // Killed while the SDK still waits for unfurls: acknowledged, recorded, nothing stored.
      await victim.kill("SIGKILL");
      const killedAt = Date.now();
      proxy.setTargets([survivor.url]);
      const storedAtKill = await stack.botRequestIdFor(threadTs);
      const inInboxAtKill = await stack.isDeliveryInInbox(delivery.eventId);

      const answer = await stack.waitForReply(
        threadTs,
        (m) => m.isBot && isAnswer(m.text),
        REPLAYED_WITHIN_MS,
      );
      const answeredAt = Date.now();
      await sleep(QUIET_MS + WEBHOOK_INBOX_DRAIN_INTERVAL_MS);
      const dispatches = dispatchesByThread(stack).get(threadTs) ?? [];
      console.log(
        `[redis instance killed after the ack] acknowledged 200 in ${Math.round(delivery.durationMs)} ms; ` +
          `killed ${killedAt - acknowledgedAt} ms after the ack (stored then: ${storedAtKill !== undefined}, ` +
          `in the inbox: ${inInboxAtKill}); answered by the survivor after ${answeredAt - acknowledgedAt} ms; ` +
          `dispatches ${dispatches.length}; bot replies ${stack.replies(threadTs).filter((m) => m.isBot).length}`,
      );
      expect(delivery.status).toBe(200);
      expect(storedAtKill).toBeUndefined();
      expect(inInboxAtKill).toBe(true);
      expect(victim.pid).toBeUndefined();
      expect(survivor.output()).toContain("processed a recorded webhook delivery");
      expect(answer.text).toContain(text.slice(0, text.indexOf(" — ")));
      expect(dispatches).toHaveLength(1);
      expect(stack.replies(threadTs).filter((m) => m.isBot)).toHaveLength(1);
      expect(await stack.isDeliveryInInbox(delivery.eventId)).toBe(false);
      await waitUntil(async () => (await stack.botRequestIdFor(threadTs)) !== undefined, {
        what: "the mention to be stored",
        timeoutMs: 1_000,
      });
    },
    TEST_TIMEOUT_MS,
  );
});
