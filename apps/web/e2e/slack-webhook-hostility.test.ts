import {
  DISPATCH_CHECK_DELAY_MS,
  deadlineBucketKey,
  deadlineBucketStart,
  WEBHOOK_INBOX_DRAIN_INTERVAL_MS,
  WEBHOOK_INBOX_REPLAY_AFTER_MS,
} from "@baton/core";
import {
  type LocalStack,
  redisCommand,
  STACK_REDIS_KEY_PREFIX,
  startLocalStack,
  waitUntil,
} from "@baton/stack";
import { FIXTURE_WORKSPACE } from "@baton/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dispatchesByThread } from "./support/dispatches";
import { countBy } from "./support/figures";
import { formatCounts } from "./support/outcome-census";
import { sleep } from "./support/sleep";

const BACKENDS = ["redis", "sqlite"] as const;
const INSTANCES = 2;
/** Slack refuses requests whose timestamp is more than 5 minutes away; the adapter does too. */
const STALE_BY_SECONDS = 5 * 60 + 60;
const SEQUENTIAL_RETRIES = 3;
const CONCURRENT_RETRIES = 4;
/** Time for a (wrongly) created second request to reach the agent, were there one. */
const QUIET_MS = 1_500;
/** Slack gives up on an answer after 3 s; a 503 must come well before. */
const MAX_503_LATENCY_MS = 1_000;
/** Minutes of deadline buckets made unwritable, so a minute turning over mid-test changes nothing. */
const POISONED_BUCKETS = 3;
const MINUTE_MS = 60_000;
/** A recorded delivery that failed is replayed by a drain once it is this old, plus slack. */
const HALF_STORED_REPLAY_MS =
  WEBHOOK_INBOX_REPLAY_AFTER_MS + 2 * WEBHOOK_INBOX_DRAIN_INTERVAL_MS + 20_000;

describe.each(BACKENDS)("hostile Slack webhooks, two instances on %s", (backend) => {
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startLocalStack({ backend, instances: INSTANCES, redisAppendOnly: true });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const dispatchCount = (threadTs: string) => dispatchesByThread(stack).get(threadTs)?.length ?? 0;
  const human = { user: FIXTURE_WORKSPACE.human.id };

  it("answers 401 to a forged or stale signature, on every instance, and creates nothing", async () => {
    const before = stack.agent.dispatches().length;
    const statuses: number[] = [];
    // Two of each through the round-robin proxy: one reaches each instance.
    for (let i = 0; i < INSTANCES; i++) {
      const forged = await stack.slack.mention({
        channel: stack.channel,
        ...human,
        text: `forged ${i}`,
        signingSecret: "not-the-signing-secret",
      });
      const stale = await stack.slack.mention({
        channel: stack.channel,
        ...human,
        text: `stale ${i}`,
        timestampSeconds: Math.floor(Date.now() / 1000) - STALE_BY_SECONDS,
      });
      statuses.push(forged.status ?? 0, stale.status ?? 0);
      for (const delivery of [forged, stale]) {
        expect(await stack.botRequestIdFor(delivery.ts ?? "")).toBeUndefined();
      }
    }
    await sleep(QUIET_MS);
    console.log(
      `[${backend} slack signatures] forged/stale deliveries answered: ${statuses.join(", ")}; ` +
        `dispatches created: ${stack.agent.dispatches().length - before}`,
    );
    expect(statuses).toEqual(Array(2 * INSTANCES).fill(401));
    expect(stack.agent.dispatches()).toHaveLength(before);
  });

  it("never creates a second request for Slack's retries of a handled mention", async () => {
    const { threadTs, delivery } = await stack.mention("retried mention [never]");
    const { botRequestId } = await stack.waitForDispatch(threadTs);
    const retries = [];
    for (let i = 0; i < SEQUENTIAL_RETRIES; i++) {
      retries.push(await stack.slack.redeliver(delivery.eventId, "http_timeout"));
    }
    retries.push(
      ...(await Promise.all(
        Array.from({ length: CONCURRENT_RETRIES }, () =>
          stack.slack.redeliver(delivery.eventId, "http_timeout"),
        ),
      )),
    );
    await sleep(QUIET_MS);
    const statuses = formatCounts(countBy(retries, (r) => String(r.status)));
    console.log(
      `[${backend} slack retries] ${retries.length} retries of a handled mention ` +
        `(${SEQUENTIAL_RETRIES} sequential, ${CONCURRENT_RETRIES} concurrent): answered ${statuses}; ` +
        `dispatches for the thread: ${dispatchCount(threadTs)}`,
    );
    expect(retries.map((r) => r.status)).toEqual(Array(retries.length).fill(200));
    expect(dispatchCount(threadTs)).toBe(1);
    expect(await stack.botRequestIdFor(threadTs)).toBe(botRequestId);
  });

  if (backend === "redis") {
    it("answers 503 while the store is down, then handles the retry exactly once", async () => {
      const redis = stack.redis;
      if (!redis) throw new Error("a redis stack has a redis-server");
      await redis.kill("SIGTERM");
      const down = [];
      let first: Awaited<ReturnType<typeof stack.slack.mention>>;
      try {
        first = await stack.slack.mention({ channel: stack.channel, ...human, text: "while down" });
        down.push(first, await stack.slack.redeliver(first.eventId, "http_error"));
      } finally {
        await redis.restart();
      }
      const threadTs = first.ts ?? "";
      const retried = await waitUntil(
        async () => {
          const retry = await stack.slack.redeliver(first.eventId, "http_error");
          return retry.status === 200 ? retry : undefined;
        },
        {
          what: "a Slack retry to be accepted once Redis is back",
          timeoutMs: 10_000,
          intervalMs: 200,
        },
      );
      const dispatch = await stack.waitForDispatch(threadTs);
      const again = await stack.slack.redeliver(first.eventId, "http_timeout");
      await sleep(QUIET_MS);
      const retries = stack.slack.deliveries().filter((d) => d.eventId === first.eventId);
      console.log(
        `[redis store down] deliveries while down: ${down.map((d) => `${d.status} in ${Math.round(d.durationMs)} ms`).join(", ")}; ` +
          `accepted at retry ${retried.retryNum} (${retries.length} deliveries in all, the last ${again.status}); ` +
          `dispatches for the thread: ${dispatchCount(threadTs)}`,
      );
      for (const delivery of down) {
        expect(delivery.status).toBe(503);
        expect(delivery.durationMs).toBeLessThan(MAX_503_LATENCY_MS);
      }
      expect(again.status).toBe(200);
      expect(dispatchCount(threadTs)).toBe(1);
      expect(await stack.botRequestIdFor(threadTs)).toBe(dispatch.botRequestId);
    });
    it("acknowledges a recorded delivery whose storing fails half-way; the inbox drain stores it once", async () => {
      const redis = stack.redis;
      if (!redis) throw new Error("a redis stack has a redis-server");
      // A mention is stored in several writes; make one of the later ones fail (its entry in the
      // deadline index, filed for the dispatch check: a key of the wrong type) while the store is
      // otherwise up, as a connection dropped between two writes would. The delivery itself was
      // recorded before the answer, so it is acknowledged, and the drain processes it again.
      const first = deadlineBucketStart(Date.now() + DISPATCH_CHECK_DELAY_MS);
      const poisoned = Array.from(
        { length: POISONED_BUCKETS },
        (_, i) => `${STACK_REDIS_KEY_PREFIX}:list:${deadlineBucketKey(first + i * MINUTE_MS)}`,
      );
      for (const key of poisoned) await redisCommand(redis, "SET", key, "not a list");
      let recorded: Awaited<ReturnType<typeof stack.slack.mention>>;
      try {
        recorded = await stack.slack.mention({
          channel: stack.channel,
          ...human,
          text: "half-stored",
        });
        // The first processing fails meanwhile (the SDK runs the handler at once: no link).
        await sleep(QUIET_MS);
      } finally {
        await redisCommand(redis, "DEL", ...poisoned);
      }
      const threadTs = recorded.ts ?? "";
      const claimed = await stack.botRequestIdFor(threadTs);
      const recordAfterFailure = claimed ? await stack.record(claimed) : undefined;
      const retry = await stack.slack.redeliver(recorded.eventId, "http_error");
      const dispatch = await stack
        .waitForDispatch(threadTs, HALF_STORED_REPLAY_MS)
        .catch(() => undefined);
      const again = await stack.slack.redeliver(recorded.eventId, "http_timeout");
      await sleep(QUIET_MS);
      const id = await stack.botRequestIdFor(threadTs);
      const record = id ? await stack.record(id) : undefined;
      console.log(
        `[redis half-stored mention] first delivery ${recorded.status} in ${Math.round(recorded.durationMs)} ms, ` +
          `retry ${retry.status}, another retry ${again.status}; dispatches for the thread: ` +
          `${dispatchCount(threadTs)}; request ${record?.status ?? "absent"}`,
      );
      expect(recorded.status).toBe(200);
      // The message was claimed, its record never written: the first processing failed.
      expect(recordAfterFailure).toBeUndefined();
      expect(await stack.isDeliveryInInbox(recorded.eventId)).toBe(false);
      expect([retry.status, again.status]).toEqual([200, 200]);
      expect(dispatch?.botRequestId).toBe(id);
      expect(dispatchCount(threadTs)).toBe(1);
    });
  }
});
