import {
  type BackendInspector,
  type LocalStack,
  openBackendInspector,
  type SentryEvent,
  type StackBackendName,
  startLocalStack,
  waitUntil,
} from "@baton/stack";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { poisonCase, type RequestRun, runCase } from "./corrupt-records/poison-case";

/**
 * Property: whatever bad value sits in whichever key family of some requests (not JSON, the
 * wrong shape, an unknown version, the wrong type, cut short, oversized, empty), written behind
 * Baton's back among healthy requests, then callbacks, sweeps and follow-ups run: every healthy
 * request completes with one reply, every poisoned one ends in a coded state or stays reachable,
 * nothing answers 5xx, the sweeper's cursor moves past every poisoned bucket, and Sentry gets at
 * most one event per poisoned request, naming it.
 */

/** Fixed, printed: the same seed generates the same cases, so a failure reproduces. */
const SEED = 20_261_203;
const RUNS: ReadonlyArray<readonly [StackBackendName, number]> = [
  ["sqlite", 10],
  ["redis", 10],
];
const DEADLINE_MS = 8_000;
const SWEEP_INTERVAL_MS = 500;
/** Once a poisoned bucket is in the past, a few sweeps move the cursor past it. */
const CURSOR_WAIT_MS = 75_000;
const TEST_TIMEOUT_MS = 170_000;

describe.each(RUNS)("corrupt stored values among healthy requests, on %s", (backend, numRuns) => {
  let stack: LocalStack;
  let inspector: BackendInspector;

  beforeAll(async () => {
    stack = await startLocalStack({
      backend,
      sentry: true,
      agent: { demo: { delayMs: 200, slowDelayMs: 1_500, progressSteps: 0 } },
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

  it(
    `contains ${numRuns} generated cases of poisoned requests`,
    async () => {
      const runs: RequestRun[] = [];
      const violations: string[] = [];
      let cases = 0;
      const started = Date.now();
      await fc.assert(
        fc.asyncProperty(poisonCase, async (plans) => {
          cases += 1;
          const result = await runCase(stack, inspector, plans, cases);
          runs.push(...result.runs);
          violations.push(...result.problems.map((p) => `case ${cases}: ${p}`));
        }),
        { seed: SEED, numRuns, endOnFailure: true },
      );

      // The sweeper moved past every poisoned bucket (once each is in the past).
      const buckets = runs.flatMap((run) => (run.bucket ? [run.bucket] : []));
      const lastBucket = Math.max(0, ...buckets);
      const cursor = await waitUntil(
        async () => {
          const value = await readCursor(inspector);
          return value !== undefined && value >= lastBucket ? value : undefined;
        },
        { what: `the sweeper's cursor to pass ${lastBucket}`, timeoutMs: CURSOR_WAIT_MS },
      ).catch(() => undefined);
      if (cursor === undefined) violations.push(`the cursor did not pass bucket ${lastBucket}`);

      const sentry = stack.sentry;
      if (!sentry) throw new Error("the stack was started with sentry: true");
      const events = sentry.events();
      violations.push(...judgeEvents(events, runs));
      console.info(
        summary(backend, runs, events, cases, Date.now() - started, violations, buckets.length),
      );
      expect(cases).toBe(numRuns);
      expect(violations).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );
});

function idOf(event: SentryEvent): unknown {
  return event.contexts?.baton?.botRequestId;
}

/** At most one event per poisoned request, none for a healthy one, and none without an owner. */
function judgeEvents(events: SentryEvent[], runs: RequestRun[]): string[] {
  const problems: string[] = [];
  for (const run of runs) {
    const mine = events.filter((e) => idOf(e) === run.record.id);
    const limit = run.plan.poison ? 1 : 0;
    if (mine.length > limit) {
      problems.push(
        `${run.record.id} (${run.plan.poison?.family ?? "healthy"}): ${mine.length} events`,
      );
    }
    if (mine.some((e) => e.tags?.botRequestId !== run.record.id)) {
      problems.push(`${run.record.id}: an event without its botRequestId tag`);
    }
  }
  for (const event of events) {
    const baton = event.contexts?.baton ?? {};
    if (
      !baton.botRequestId &&
      !baton.threadId &&
      !baton.bucket &&
      event.tags?.family !== "sweeper-cursor"
    ) {
      problems.push(`an event names no request, thread or bucket: ${JSON.stringify(event.tags)}`);
    }
  }
  const perThread = new Map<unknown, number>();
  for (const event of events.filter((e) => e.contexts?.baton?.threadId)) {
    const key = `${String(event.tags?.family)} ${String(event.contexts?.baton?.threadId)}`;
    perThread.set(key, (perThread.get(key) ?? 0) + 1);
  }
  for (const [key, count] of perThread) if (count > 1) problems.push(`${key}: ${count} events`);
  return problems;
}

async function readCursor(inspector: BackendInspector): Promise<number | undefined> {
  const dump = await inspector.dump();
  const entry = dump.entries.find((e) => e.key.endsWith("bot-request-sweeper:cursor"));
  if (!entry) return undefined;
  const raw =
    typeof entry.value === "string" ? entry.value : (entry.value as { value?: unknown }).value;
  try {
    const value: unknown = JSON.parse(String(raw));
    return typeof value === "number" ? value : undefined;
  } catch {
    return undefined;
  }
}

function summary(
  backend: string,
  runs: RequestRun[],
  events: SentryEvent[],
  cases: number,
  ms: number,
  violations: string[],
  buckets: number,
): string {
  const count = (values: string[]) => {
    const map = new Map<string, number>();
    for (const v of values) map.set(v, (map.get(v) ?? 0) + 1);
    return [...map.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, n]) => `${k} ${n}`)
      .join(", ");
  };
  const poisoned = runs.filter((r) => r.plan.poison);
  return [
    `[corrupt records on ${backend}] seed ${SEED}, ${cases} cases in ${(ms / 1000).toFixed(1)} s`,
    `  requests: ${runs.length} (${poisoned.length} poisoned, ${runs.length - poisoned.length} healthy)`,
    `  key families: ${count(poisoned.map((r) => r.plan.poison?.family ?? ""))}`,
    `  corruptions: ${count(poisoned.map((r) => r.plan.poison?.value.corruption ?? ""))}`,
    `  outcomes: ${count(runs.map((r) => `${r.plan.poison ? r.plan.poison.family : "healthy"} -> ${r.outcome}`))}`,
    `  poisoned deadline buckets: ${buckets}`,
    `  sentry events: ${events.length} (${count(events.map((e) => String(e.tags?.family ?? e.tags?.reason)))})`,
    `  violations: ${violations.length}`,
    ...violations.slice(0, 20).map((v) => `    ${v}`),
  ].join("\n");
}
