import { type LocalStack, startLocalStack } from "@baton/stack";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mapPool } from "./support/bounded-pool";
import { waitForDispatches } from "./support/dispatches";
import { countBy, maxOf, seconds } from "./support/figures";
import { countReplies, formatCounts, tallyRecords } from "./support/outcome-census";
import { mentionWithRetries, type WebhookAnswer } from "./support/slack-retries";
import { createStackTestAgent } from "./support/stack-test-agent";
import type { CallbackAnswer } from "./support/test-agent";

const BACKENDS = ["redis", "sqlite", "postgres"] as const;
const INSTANCES = 2;
const REQUESTS = 200;
/** Deliveries of each request's one terminal callback, all at once, spread over the instances. */
const DELIVERIES = 5;
/** Mentions in flight at once (Slack sends events in parallel too). */
const MENTION_CONCURRENCY = 8;
/** Requests whose deliveries are in flight at once: up to 100 concurrent callbacks. */
const REQUEST_CONCURRENCY = 20;
/** Bounds for one mention's or one delivery's retries; nothing here is expected to need many. */
const MAX_RETRY_MS = 30_000;
const DISPATCH_WAIT_MS = 60_000;

const answerFor = (botRequestId: string) => `The answer for ${botRequestId}.`;

describe.each(BACKENDS)("exactly one reply per request, two instances on %s", (backend) => {
  let stack: LocalStack;

  beforeAll(async () => {
    // `[never]`: the reference agent accepts and stays silent; the test is the agent.
    stack = await startLocalStack({ backend, instances: INSTANCES });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it(`${REQUESTS} requests x ${DELIVERIES} concurrent terminal callbacks`, async () => {
    const started = performance.now();
    const webhooks: WebhookAnswer[] = [];
    const mentions = await mapPool(
      Array.from({ length: REQUESTS }, (_, i) => i),
      MENTION_CONCURRENCY,
      (i) =>
        mentionWithRetries(stack, `exactly-once request ${i} [never]`, {
          log: webhooks,
          maxTotalMs: MAX_RETRY_MS,
        }),
    );
    expect(mentions.filter((m) => m.final.status !== 200)).toEqual([]);
    const threads = mentions.map((m) => m.threadTs);
    const dispatches = await waitForDispatches(stack, threads, DISPATCH_WAIT_MS);
    const mentionedMs = performance.now() - started;

    const callbacks: CallbackAnswer[] = [];
    const agent = createStackTestAgent(stack, callbacks, MAX_RETRY_MS);
    const finals = await mapPool(threads, REQUEST_CONCURRENCY, (threadTs, i) => {
      const dispatch = dispatches.get(threadTs);
      if (!dispatch) throw new Error(`no dispatch for ${threadTs}`);
      const callback = agent.completedFor(dispatch, answerFor(dispatch.botRequestId));
      return Promise.all(
        Array.from({ length: DELIVERIES }, (_, j) => agent.deliver(callback, i + j)),
      );
    });
    const deliveredMs = performance.now() - started - mentionedMs;

    const idOf = (threadTs: string) => dispatches.get(threadTs)?.botRequestId ?? "?";
    const census = countReplies(stack, threads, (m, threadTs) =>
      m.text.includes(answerFor(idOf(threadTs))),
    );
    const botPosts = countReplies(stack, threads, () => true);
    const ids = threads.map(idOf);
    const tally = await tallyRecords(stack, ids);
    const outcomes = countBy(finals.flat(), (a) => `${a.status} ${a.code}`);
    const busy = callbacks.filter((a) => a.status === 503);
    const perInstance = countBy(callbacks, (a) =>
      String(stack.servers.findIndex((s) => s.url === a.target)),
    );
    console.log(
      `[${backend}] ${REQUESTS} requests x ${DELIVERIES} deliveries over ${INSTANCES} instances: ` +
        `${census.replies} replies, ${census.duplicates} duplicates, ${census.missing} missing; ` +
        `records: ${formatCounts(tally.byStatus)}; final answers: ${formatCounts(outcomes)}; ` +
        `503 retries: ${busy.length} (max latency ${maxOf(busy.map((a) => a.latencyMs))} ms); ` +
        `attempts per instance: ${formatCounts(perInstance)}; ` +
        `mention retries: ${webhooks.length - REQUESTS}; ` +
        `mentions+dispatch ${seconds(mentionedMs)}, callbacks ${seconds(deliveredMs)}`,
    );

    expect(census).toMatchObject({ replies: REQUESTS, duplicates: 0, missing: 0 });
    // Nothing else reached the threads either: one bot post per thread, the answer.
    expect(botPosts).toMatchObject({ replies: REQUESTS, duplicates: 0 });
    expect(tally.byStatus).toEqual({ completed: REQUESTS });
    // Every delivery ended 200: one posted the reply, the others were told it was a duplicate.
    expect(finals.flat().every((a) => a.status === 200)).toBe(true);
    expect(outcomes["200 posted"]).toBe(REQUESTS);
    expect(outcomes["200 duplicate"]).toBe(REQUESTS * (DELIVERIES - 1));
  });
});
