import { messageStateKey } from "@baton/core";
import {
  type BackendInspector,
  type LocalStack,
  openBackendInspector,
  type SentryEvent,
  startLocalStack,
  waitUntil,
} from "@baton/stack";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sleep } from "./support/sleep";

/** What the issue wrote into the store: text that is not JSON. */
const NOT_JSON = "{not json at all";
const DEADLINE_MS = 5_000;
const SWEEP_INTERVAL_MS = 500;
/** Long enough to poison the state after the dispatch and before the agent calls back. */
const SLOW_DELAY_MS = 2_500;
/** A due request is finalised within a few sweeps of its deadline. */
const ON_TIME_MS = DEADLINE_MS + 6 * SWEEP_INTERVAL_MS;
const TTL_MS = 60 * 60_000;

const isHttpTransaction = (event: SentryEvent) =>
  typeof event.transaction === "string" &&
  /^(GET|POST|PUT|DELETE|PATCH|HEAD) /.test(event.transaction);

/**
 * The case on SQLite: one request's message state overwritten with text that is not JSON.
 * Its callback is not "store unavailable": the request ends error/state-corrupt, the user is
 * told, one Sentry event names it; a second poisoned request is met by the sweeper at its
 * deadline and ends the same way; a healthy request beside them is finalised on time.
 */
describe("a corrupt message state on SQLite, end to end", () => {
  let stack: LocalStack;
  let inspector: BackendInspector;

  beforeAll(async () => {
    stack = await startLocalStack({
      backend: "sqlite",
      sentry: true,
      agent: { demo: { delayMs: 200, slowDelayMs: SLOW_DELAY_MS, progressSteps: 0 } },
      env: {
        BATON_REQUEST_DEADLINE_MS: String(DEADLINE_MS),
        BATON_SWEEP_INTERVAL_MS: String(SWEEP_INTERVAL_MS),
      },
    });
    inspector = await openBackendInspector(stack);
  });
  afterAll(async () => {
    await inspector?.close();
    await stack?.stop();
  });

  async function running(text: string) {
    const { threadTs } = await stack.mention(text);
    const { botRequestId } = await stack.waitForDispatch(threadTs);
    await stack.waitForRecord(botRequestId, (r) => r.status === "running");
    return { threadTs, botRequestId };
  }

  it("ends the poisoned requests error/state-corrupt, reports each once, finalises the healthy one on time", async () => {
    const answered = await running("review `deploy.sh` and its README for me, ça marche? [slow]");
    const silent = await running("summarise the incident timeline [never]");
    const healthy = await running("a healthy job that never answers [never]");
    const healthyStarted = Date.now();
    for (const poisoned of [answered, silent]) {
      await inspector.writeRaw("value", messageStateKey(poisoned.botRequestId), NOT_JSON, TTL_MS);
      expect((await stack.messageState(poisoned.botRequestId)).kind).toBe("corrupt");
    }

    // The agent's callback: answered, never 503 store_unavailable.
    const record = await stack.waitForRecord(
      answered.botRequestId,
      (r) => r.finalizedAt !== undefined,
    );
    expect(record).toMatchObject({ status: "error", error: { code: "state-corrupt" } });
    // The record is final before the route's answer reaches the agent: wait for every answer.
    const attempts = await waitUntil(
      () => {
        const all = stack.callbackAttempts(answered.botRequestId);
        return all.length > 0 && all.every((a) => a.status !== undefined) ? all : undefined;
      },
      { what: "the agent's callbacks answered" },
    );
    expect(attempts.map((a) => a.status)).not.toContain(503);
    expect(attempts.at(-1)?.status).toBe(200);
    await stack.waitForReply(
      answered.threadTs,
      (m) => m.isBot && m.text.includes("lost the context"),
    );

    // The sweeper: the healthy request is finalised on time, the poisoned silent one too.
    const healthyFinal = await stack.waitForRecord(
      healthy.botRequestId,
      (r) => r.finalizedAt !== undefined,
      ON_TIME_MS,
    );
    expect(healthyFinal).toMatchObject({ status: "error", error: { code: "deadline" } });
    expect(Date.now() - healthyStarted).toBeLessThan(ON_TIME_MS);
    const silentFinal = await stack.waitForRecord(
      silent.botRequestId,
      (r) => r.finalizedAt !== undefined,
    );
    expect(silentFinal).toMatchObject({ status: "error", error: { code: "state-corrupt" } });
    await stack.waitForReply(
      silent.threadTs,
      (m) => m.isBot && m.text.includes("lost the context"),
    );

    // Several more sweeps: still exactly one event per request, each naming it, none of the
    // sweeper's labelled with an HTTP request.
    await sleep(6 * SWEEP_INTERVAL_MS);
    const sentry = stack.sentry;
    if (!sentry) throw new Error("the stack was started with sentry: true");
    const eventsFor = (id: string) =>
      sentry.events().filter((e) => e.contexts?.baton?.botRequestId === id);
    for (const { botRequestId } of [answered, silent, healthy]) {
      const events = eventsFor(botRequestId);
      expect(events, `events for ${botRequestId}`).toHaveLength(1);
      expect(events[0]?.tags?.botRequestId).toBe(botRequestId);
    }
    expect(eventsFor(answered.botRequestId)[0]?.tags).toMatchObject({ reason: "state-corrupt" });
    const swept = [...eventsFor(silent.botRequestId), ...eventsFor(healthy.botRequestId)];
    expect(swept.map((e) => e.tags?.component)).toEqual(["sweeper", "sweeper"]);
    for (const event of swept) {
      expect(isHttpTransaction(event), `transaction ${String(event.transaction)}`).toBe(false);
      expect(event.request).toBeUndefined();
    }
    expect(sentry.events()).toHaveLength(3);
    expect(sentry.rawBodies().some((body) => body.includes(NOT_JSON))).toBe(false);

    // What the routes would answer: the store answers and does what they ask.
    const health = await fetch(`${stack.server.url}/api/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true, state: { backend: "sqlite", ok: true } });
  });
});
