import {
  AGENT_RETRY_BUDGET,
  DEADLINE_BUCKET_MS,
  DISPATCH_CHECK_DELAY_MS,
  deadlineBucketStart,
} from "@baton/core";
import { type LocalStack, startLocalStack, waitUntil } from "@baton/stack";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { relativeMs, seconds } from "./support/figures";
import { sleep } from "./support/sleep";
import { waitForStoredRequest } from "./support/stored-request";

/** The backend instances share when Baton is scaled out. One backend keeps the suite short. */
const BACKEND = "redis";
const INSTANCES = 2;
const SWEEP_INTERVAL_MS = 1_000;
/**
 * The agent's outage: every dispatch is answered 503 with this Retry-After, which the dispatcher
 * waits out (it is under the budget's cap), so the instance that acknowledged the mention sits
 * between two attempts of its retry budget for this long after its first one.
 */
const OUTAGE_RETRY_AFTER_S = 20;
/** Far more dispatches than anyone makes: the outage lasts until the test ends it. */
const OUTAGE_DISPATCHES = 1_000;
/**
 * The dispatch check fires on the first sweep after the minute bucket holding "stored + 15 s" has
 * passed: at most 15 s, one bucket and one sweep after the mention was stored; the rest is slack
 * for a loaded machine (a sweeper lock the dead instance held lapses within 20 s meanwhile).
 */
const ANSWERED_WITHIN_MS =
  DISPATCH_CHECK_DELAY_MS + DEADLINE_BUCKET_MS + SWEEP_INTERVAL_MS + 30_000;
/** Several sweeps after the answer: a second dispatch or reply would show by then. */
const SETTLE_MS = 5 * SWEEP_INTERVAL_MS;
const TEST_TIMEOUT_MS = 180_000;
const PROMPT = "summarise the incident before the on-call hand-over";
const LOST_DISPATCH_LOG = "dispatching a stored request whose dispatch was lost";

const isAnswer = (text: string) => text.includes("Baton demo agent");

describe(`a mention whose instance dies before the agent has it, two instances on ${BACKEND}`, () => {
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startLocalStack({
      backend: BACKEND,
      instances: INSTANCES,
      agent: { demo: { delayMs: 200, progressSteps: 0 } },
      env: { BATON_SWEEP_INTERVAL_MS: String(SWEEP_INTERVAL_MS) },
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it(
    "is dispatched once by the surviving instance's sweeper and answered once in its thread",
    async () => {
      // The outage must outlast any attempt the first dispatcher makes before it is killed, and
      // its Retry-After must be one the dispatcher waits out rather than giving up at once.
      expect(OUTAGE_RETRY_AFTER_S * 1000).toBeLessThanOrEqual(AGENT_RETRY_BUDGET.maxServerWaitMs);
      expect(OUTAGE_DISPATCHES).toBeGreaterThan(AGENT_RETRY_BUDGET.maxAttempts);
      const proxy = stack.proxy;
      if (!proxy) throw new Error("two instances run behind the proxy");
      stack.agent.injectDispatchFault({
        status: 503,
        retryAfterSeconds: OUTAGE_RETRY_AFTER_S,
        times: OUTAGE_DISPATCHES,
      });

      // The mention goes through the load balancer; the instance that answered it is the one
      // whose forwarded count moved (nothing else reaches the proxy meanwhile).
      const total = (counts: Record<string, number>) =>
        Object.values(counts).reduce((sum, n) => sum + n, 0);
      const before = proxy.stats().forwarded;
      const sent = Date.now();
      const { threadTs, delivery } = await stack.mention(PROMPT);
      const acknowledgedAt = Date.now();
      const after = await waitUntil(
        () => {
          const counts = proxy.stats().forwarded;
          return total(counts) > total(before) ? counts : undefined;
        },
        { what: "the proxy to count the forwarded mention", timeoutMs: 5_000 },
      );
      const answeredBy = stack.servers.filter(
        (s) => (after[s.url] ?? 0) - (before[s.url] ?? 0) === 1,
      );
      expect(delivery.status).toBe(200);
      expect(total(after)).toBe(total(before) + 1);
      expect(answeredBy).toHaveLength(1);
      const victim = answeredBy[0];
      const survivor = stack.servers.find((s) => s !== victim);
      if (!victim || !survivor) throw new Error("two instances, one answered");
      const victimIndex = stack.servers.indexOf(victim);
      const survivorIndex = stack.servers.indexOf(survivor);

      // The acknowledging instance's first dispatch meets the outage: it now waits out the
      // Retry-After, inside its retry budget, holding the request's dispatch lock.
      // Acknowledged once recorded; stored by the acknowledging instance just after.
      const botRequestId = await waitForStoredRequest(stack, threadTs);
      const forRequest = () =>
        stack.agent.dispatches().filter((d) => d.botRequestId === botRequestId);
      const refused = await waitUntil(() => forRequest().find((d) => d.outcome === "fault"), {
        what: `the first dispatch of ${botRequestId} to meet the outage`,
        timeoutMs: 10_000,
      });

      const atKill = { dispatches: forRequest(), record: await stack.record(botRequestId) };
      const killedFrom = Date.now();
      await victim.kill("SIGKILL");
      const killedAt = Date.now();
      // Its health check fails: the load balancer sends everything to the survivor.
      proxy.setTargets([survivor.url]);

      // The kill came after the acknowledgement and before anything was accepted: the agent
      // had refused the one dispatch it got, the request was stored and not dispatched, and
      // the dispatcher was still waiting for its next attempt.
      expect(killedFrom).toBeGreaterThanOrEqual(acknowledgedAt);
      expect(atKill.dispatches.map((d) => [d.outcome, d.status])).toEqual([["fault", 503]]);
      expect(atKill.record).toMatchObject({ id: botRequestId, status: "queued" });
      expect(atKill.record?.finalizedAt).toBeUndefined();
      expect(killedAt).toBeLessThan(refused.receivedAt + OUTAGE_RETRY_AFTER_S * 1000);
      expect(victim.pid).toBeUndefined();
      const createdAt = atKill.record?.createdAt ?? acknowledgedAt;

      // The agent recovers; the dead dispatcher never comes back to retry.
      const pendingFaults = stack.agent.clearDispatchFaults();
      const recoveredAt = Date.now();
      expect(pendingFaults).toBe(OUTAGE_DISPATCHES - 1);

      const answer = await stack.waitForReply(
        threadTs,
        (m) => m.isBot && isAnswer(m.text),
        ANSWERED_WITHIN_MS - (Date.now() - acknowledgedAt),
      );
      const answeredAt = Date.now();
      const record = await stack.waitForRecord(
        botRequestId,
        (r) => r.finalizedAt !== undefined,
        10_000,
      );
      await sleep(SETTLE_MS);

      const dispatches = forRequest();
      const accepted = dispatches.filter((d) => d.outcome === "accepted");
      const botReplies = stack.replies(threadTs).filter((m) => m.isBot);
      const answersElsewhere = stack.slack
        .channelMessages(stack.channel)
        .filter((m) => m.isBot && isAnswer(m.text));
      const checkDueAt =
        deadlineBucketStart(createdAt + DISPATCH_CHECK_DELAY_MS) + DEADLINE_BUCKET_MS;
      const dispatchedAt = accepted[0]?.receivedAt ?? Number.NaN;
      console.log(
        `[${BACKEND} crash before dispatch] mention acknowledged 200 by instance ${victimIndex} ` +
          `in ${acknowledgedAt - sent} ms; agent refused its dispatch (503, Retry-After ` +
          `${OUTAGE_RETRY_AFTER_S} s) at ${relativeMs(refused.receivedAt - acknowledgedAt)}; ` +
          `instance ${victimIndex} SIGKILLed at ${relativeMs(killedAt - acknowledgedAt)} ` +
          `(request ${atKill.record?.status}, ${atKill.dispatches.length} dispatch attempt); ` +
          `agent back at ${relativeMs(recoveredAt - acknowledgedAt)}; dispatch check due at ` +
          `${relativeMs(checkDueAt - acknowledgedAt)}; instance ${survivorIndex}'s sweeper ` +
          `dispatched at ${relativeMs(dispatchedAt - acknowledgedAt)}; accepted runs ` +
          `${accepted.length}; bot replies in the thread ${botReplies.length}; request ` +
          `${record.status}; acknowledgement -> reply ${seconds(answeredAt - acknowledgedAt)}`,
      );

      // Exactly one run, started by the survivor's sweeper at the request's dispatch check (its
      // lost-dispatch path says so); the agent saw nothing else for the request.
      expect(dispatches.map((d) => d.outcome)).toEqual(["fault", "accepted"]);
      expect(dispatchedAt).toBeGreaterThanOrEqual(sent + DISPATCH_CHECK_DELAY_MS);
      expect(survivor.output()).toContain(LOST_DISPATCH_LOG);
      expect(survivor.output()).toContain(botRequestId);
      // The answer, once, in the mention's thread and nowhere else.
      expect(botReplies.map((m) => m.ts)).toEqual([answer.ts]);
      expect(answer.text).toContain(PROMPT);
      expect(answersElsewhere).toEqual([]);
      expect(record).toMatchObject({
        status: "completed",
        executionId: accepted[0]?.executionId,
      });
      expect(answeredAt - acknowledgedAt).toBeLessThan(ANSWERED_WITHIN_MS);
    },
    TEST_TIMEOUT_MS,
  );
});
