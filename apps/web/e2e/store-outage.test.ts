import { DEADLINE_BUCKET_MS, DISPATCH_CHECK_DELAY_MS, SWEEP_INTERVAL_MS } from "@baton/core";
import { type LocalStack, startLocalStack, waitUntil } from "@baton/stack";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { firstDispatchOf } from "./support/dispatches";
import { countBy, maxOf, relativeMs, seconds } from "./support/figures";
import { countReplies, formatCounts, tallyRecords } from "./support/outcome-census";
import { mentionWithRetries, type WebhookAnswer } from "./support/slack-retries";
import { sleep } from "./support/sleep";
import { createStackTestAgent } from "./support/stack-test-agent";
import type { CallbackAnswer } from "./support/test-agent";

const INSTANCES = 2;
const REQUESTS = 100;
/** One mention every this often: the arrivals span the outage. */
const ARRIVAL_INTERVAL_MS = 110;
/** The agent answers this long after its dispatch, so callbacks are in flight during the outage too. */
const CALLBACK_DELAY_MS = 1_500;
const OUTAGE_STARTS_AFTER_MS = 2_000;
const OUTAGE_MS = 10_000;
/** After Redis is back, the instances reconnect within ~1 s (reconnect backoff cap). */
const RECOVERY_BOUND_MS = 3_000;
/**
 * A 503 must come well before Slack gives up on an answer (3 s). Typically under 400 ms; one CI
 * run on the loaded two-core machine saw one of 477 at 1,108 ms, so the bound keeps a margin
 * below Slack's limit rather than the typical figure (timing is measured in tooling/bench).
 */
const MAX_503_LATENCY_MS = 2_000;
/** A reply post held this long by Slack, so the store can be stopped while it is under way. */
const SLOW_POST_MS = 2_000;
/** Into the slow post, the store goes away. */
const STOP_INTO_POST_MS = 700;
/** Each mention's and each callback's retries stop after this (far longer than the outage). */
const MAX_RETRY_MS = 40_000;
/**
 * A mention acknowledged while its admission was refused (the store went away in between) is
 * dispatched by its dispatch check: due DISPATCH_CHECK_DELAY_MS after the mention, read once its
 * deadline bucket has passed, at the next sweep. Seen once in CI: one request still queued 40 s on.
 */
const MAX_DISPATCH_WAIT_MS =
  DISPATCH_CHECK_DELAY_MS + DEADLINE_BUCKET_MS + SWEEP_INTERVAL_MS + 15_000;
const TEST_TIMEOUT_MS = MAX_RETRY_MS + MAX_DISPATCH_WAIT_MS + CALLBACK_DELAY_MS + MAX_RETRY_MS;

const answerFor = (botRequestId: string) => `The answer for ${botRequestId}.`;

describe("redis-server stopped for 10 s while mentions and callbacks are in flight", () => {
  let stack: LocalStack;

  beforeAll(async () => {
    // AOF: a graceful stop writes everything acknowledged, the restart loads it back.
    stack = await startLocalStack({
      backend: "redis",
      instances: INSTANCES,
      redisAppendOnly: true,
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it(
    `${REQUESTS} requests: each completed once, 503s fast, none after recovery`,
    async () => {
      const redis = stack.redis;
      if (!redis) throw new Error("a redis stack has a redis-server");
      const webhooks: WebhookAnswer[] = [];
      const callbacks: CallbackAnswer[] = [];
      const agent = createStackTestAgent(stack, callbacks, MAX_RETRY_MS);
      const started = Date.now();
      const outage = { start: 0, end: 0 };

      async function oneRequest(i: number) {
        await sleep(i * ARRIVAL_INTERVAL_MS);
        const mention = await mentionWithRetries(stack, `outage request ${i} [never]`, {
          log: webhooks,
          maxTotalMs: MAX_RETRY_MS,
        });
        if (mention.final.status !== 200) return { threadTs: mention.threadTs, mention };
        const dispatch = await firstDispatchOf(
          stack,
          mention.threadTs,
          `the dispatch of request ${i}`,
          MAX_DISPATCH_WAIT_MS,
        );
        if (!dispatch) return { threadTs: mention.threadTs, mention };
        await sleep(CALLBACK_DELAY_MS);
        const callback = agent.completedFor(dispatch, answerFor(dispatch.botRequestId));
        const delivered = await agent.deliver(callback, i);
        return { threadTs: mention.threadTs, mention, dispatch, delivered };
      }

      async function stopRedisForAWhile() {
        await sleep(OUTAGE_STARTS_AFTER_MS);
        outage.start = Date.now();
        await redis?.kill("SIGTERM");
        await sleep(OUTAGE_MS - (Date.now() - outage.start));
        await redis?.restart();
        outage.end = Date.now();
      }

      const [results] = await Promise.all([
        Promise.all(Array.from({ length: REQUESTS }, (_, i) => oneRequest(i))),
        stopRedisForAWhile(),
      ]);
      const threads = results.map((r) => r.threadTs);
      const dispatched = results.flatMap((r) => (r.dispatch ? [r.dispatch] : []));
      // Every request Baton recorded, dispatched or not: none may stay pending.
      const recorded = await Promise.all(threads.map((t) => stack.botRequestIdFor(t)));
      const ids = recorded.filter((id): id is string => id !== undefined);
      const idOf = new Map(dispatched.map((d) => [d.request?.context.threadId, d.botRequestId]));
      const census = countReplies(stack, threads, (m, threadTs) =>
        m.text.includes(answerFor(idOf.get(`slack:${stack.channel}:${threadTs}`) ?? "?")),
      );
      const tally = await tallyRecords(stack, ids);
      const answers = [
        ...webhooks.map((w) => ({ ...w, what: "mention" })),
        ...callbacks.map((c) => ({ ...c, what: "callback" })),
      ];
      const unavailable = answers.filter((a) => a.status === 503);
      const serverErrors = answers.filter((a) => a.status === null || a.status >= 500);
      const otherErrors = serverErrors.filter((a) => a.status !== 503);
      const lastServerError = maxOf(
        serverErrors.map((a) => a.answeredAt - outage.end),
        Number.NEGATIVE_INFINITY,
      );
      const unavailableFor = (what: string) => unavailable.filter((a) => a.what === what);
      const undispatched = results.filter((r) => r.mention.final.status === 200 && !r.dispatch);
      const unfinished = results
        .filter((r) => r.dispatch && r.delivered?.status !== 200)
        .map((r) => ({
          threadTs: r.threadTs,
          last: `${r.delivered?.status} ${r.delivered?.code}`,
        }));
      console.log(
        `[redis outage] ${REQUESTS} requests over ${INSTANCES} instances, redis down ` +
          `${seconds(outage.end - outage.start)} (from +${seconds(outage.start - started)}): ` +
          `${census.replies} replies, ${census.duplicates} duplicates, ${census.missing} missing; ` +
          `records: ${formatCounts(tally.byStatus)}, pending ${tally.pending.length}; ` +
          `mentions: ${webhooks.length} deliveries, ${unavailableFor("mention").length} answered 503 ` +
          `(max latency ${maxOf(unavailableFor("mention").map((a) => a.latencyMs))} ms), ` +
          `${undispatched.length} acknowledged but never dispatched; ` +
          `callbacks: ${callbacks.length} attempts, ${unavailableFor("callback").length} answered 503 ` +
          `(max latency ${maxOf(unavailableFor("callback").map((a) => a.latencyMs))} ms); ` +
          `other 5xx/no answer: ${formatCounts(countBy(otherErrors, (a) => `${a.what} ${a.status}`)) || "none"}; ` +
          `last 5xx at outage end ${relativeMs(lastServerError)}`,
      );

      expect(results.filter((r) => r.mention.final.status !== 200).map((r) => r.threadTs)).toEqual(
        [],
      );
      expect(undispatched.map((r) => r.threadTs)).toEqual([]);
      expect(unfinished).toEqual([]);
      expect(census).toMatchObject({ replies: REQUESTS, duplicates: 0, missing: 0 });
      expect(ids).toHaveLength(REQUESTS);
      expect(tally.byStatus).toEqual({ completed: REQUESTS });
      expect(tally.pending).toEqual([]);
      // The outage really was met: mentions and callbacks were refused, then retried.
      expect(unavailableFor("mention").length).toBeGreaterThan(0);
      expect(unavailableFor("callback").length).toBeGreaterThan(0);
      expect(maxOf(unavailable.map((a) => a.latencyMs))).toBeLessThan(MAX_503_LATENCY_MS);
      expect(otherErrors).toEqual([]);
      expect(lastServerError).toBeLessThan(RECOVERY_BOUND_MS);
    },
    TEST_TIMEOUT_MS,
  );
  it("a callback caught mid-post by the outage is completed by the first retry after it", async () => {
    const redis = stack.redis;
    if (!redis) throw new Error("a redis stack has a redis-server");
    const { threadTs } = await stack.mention("caught mid-post [never]");
    const dispatch = await stack.waitForDispatch(threadTs);
    const callbacks: CallbackAnswer[] = [];
    const agent = createStackTestAgent(stack, callbacks, MAX_RETRY_MS);
    // Slack holds the reply's post; meanwhile the store goes away, so the instance that holds
    // the request's claim cannot record the outcome, nor give the claim back.
    stack.slack.injectFault("chat.postMessage", { delayMs: SLOW_POST_MS, times: 1 });
    const delivering = agent.deliver(
      agent.completedFor(dispatch, answerFor(dispatch.botRequestId)),
      0,
    );
    await sleep(STOP_INTO_POST_MS);
    const outage = { start: Date.now(), end: 0 };
    await redis.kill("SIGTERM");
    await waitUntil(() => callbacks.length > 0, {
      what: "the first delivery to be answered",
      timeoutMs: SLOW_POST_MS + MAX_503_LATENCY_MS * 5,
    });
    await redis.restart();
    outage.end = Date.now();
    const final = await delivering;

    const replies = stack.replies(threadTs).filter((m) => m.isBot);
    const lastServerError = maxOf(
      callbacks
        .filter((a) => a.status === null || a.status >= 500)
        .map((a) => a.answeredAt - outage.end),
      Number.NEGATIVE_INFINITY,
    );
    console.log(
      `[redis outage mid-post] redis down ${seconds(outage.end - outage.start)} while the reply was being posted: ` +
        `deliveries ${callbacks.map((a) => `${a.status} ${a.code}`).join(", ")}; ` +
        `completed ${Math.round(final.answeredAt - outage.end)} ms after redis was back; ` +
        `last 5xx at outage end ${relativeMs(lastServerError)}; replies in the thread ${replies.length}`,
    );
    expect(callbacks[0]).toMatchObject({ status: 503 });
    expect(final).toMatchObject({ status: 200 });
    expect(lastServerError).toBeLessThan(RECOVERY_BOUND_MS);
    // The post landed during the outage; the retry recognised it instead of posting again.
    expect(replies.map((m) => m.text)).toEqual([answerFor(dispatch.botRequestId)]);
    expect(await stack.record(dispatch.botRequestId)).toMatchObject({ status: "completed" });
  });
});
