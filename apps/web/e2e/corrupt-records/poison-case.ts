import type { BotRequestRecord } from "@baton/core";
import { type BackendInspector, type LocalStack, waitUntil } from "@baton/stack";
import fc from "fast-check";
import { type CorruptValue, corruptValue } from "./corrupt-values";
import { allowedOutcomes, FAMILIES, type Family, poisonTarget } from "./key-families";

/** One request of a case: healthy, or with one key family poisoned. */
export interface RequestPlan {
  poison?: { family: Family; value: CorruptValue };
}

/** A few requests side by side, at least one healthy and one poisoned. */
export const poisonCase: fc.Arbitrary<RequestPlan[]> = fc
  .array(
    fc.option(fc.record({ family: fc.constantFrom(...FAMILIES), value: corruptValue }), {
      nil: undefined,
    }),
    { minLength: 2, maxLength: 3 },
  )
  .filter((plans) => plans.some((p) => p) && plans.some((p) => !p))
  .map((plans) => plans.map((poison) => (poison ? { poison } : {})));

export interface RequestRun {
  plan: RequestPlan;
  threadTs: string;
  record: BotRequestRecord;
  /** `completed`, `error/<code>`, `cancelled`, or `unreadable` (its record cannot be read). */
  outcome: string;
  bucket?: number;
  /** The follow-up's ts: every bot message before it answers the request itself. */
  followUpTs?: string;
}

const TTL_MS = 60 * 60_000;
/** The agent's slow run: long enough to poison a request between its dispatch and its answer. */
export const SLOW_MARKER = "[slow]";

/**
 * Runs one case on the live stack: mentions, poisons each planned key family right after the
 * dispatch (before the agent's answer), lets the callbacks, sweeps and a follow-up per thread
 * happen, and returns each request's outcome with the problems seen.
 */
export async function runCase(
  stack: LocalStack,
  inspector: BackendInspector,
  plans: readonly RequestPlan[],
  caseNumber: number,
): Promise<{ runs: RequestRun[]; problems: string[] }> {
  const problems: string[] = [];
  const started = await Promise.all(
    withFamilyOfTheCase(plans, caseNumber).map(async (plan, i) => {
      const text = `case ${caseNumber}, request ${i}: summarise \`README.md\` for the ünïcode team ✓ ${SLOW_MARKER}`;
      const { threadTs } = await stack.mention(text);
      const { botRequestId } = await stack.waitForDispatch(threadTs);
      const record = await stack.waitForRecord(botRequestId, (r) => r.status === "running");
      return { plan, threadTs, record };
    }),
  );
  const runs: RequestRun[] = [];
  for (const { plan, threadTs, record } of started) {
    let bucket: number | undefined;
    if (plan.poison) {
      const target = poisonTarget(plan.poison.family, record);
      await inspector.writeRaw(target.place, target.key, plan.poison.value.text, TTL_MS);
      bucket = target.bucket;
    }
    runs.push({ plan, threadTs, record, outcome: "pending", ...(bucket ? { bucket } : {}) });
  }
  for (const run of runs) run.outcome = await settledOutcome(stack, run);
  // A follow-up in every thread is taken and answered, whatever was poisoned in it.
  await Promise.all(
    runs.map(async (run) => {
      const before = stack.replies(run.threadTs).filter((m) => m.isBot).length;
      const followUp = await stack.mention(`case ${caseNumber}: and the tests, please?`, {
        threadTs: run.threadTs,
      });
      run.followUpTs = followUp.delivery.ts;
      await stack
        .waitForReply(
          run.threadTs,
          () => stack.replies(run.threadTs).filter((m) => m.isBot).length > before,
          15_000,
        )
        .catch(() => problems.push(`${run.record.id}: the follow-up was not answered`));
    }),
  );
  for (const run of runs) problems.push(...judge(stack, run));
  return { runs, problems };
}

/**
 * The first poisoned request of case n poisons family n (round robin), so a run of as many cases
 * as there are families covers every one; the values, and the other requests' families, stay
 * generated.
 */
function withFamilyOfTheCase(plans: readonly RequestPlan[], caseNumber: number): RequestPlan[] {
  const first = plans.findIndex((plan) => plan.poison);
  const family = FAMILIES[(caseNumber - 1) % FAMILIES.length] as Family;
  return plans.map((plan, i) =>
    i === first && plan.poison ? { poison: { ...plan.poison, family } } : plan,
  );
}

/** Waits until the request ended, or its record is unreadable and the agent was answered. */
async function settledOutcome(stack: LocalStack, run: RequestRun): Promise<string> {
  return waitUntil(
    async () => {
      let record: BotRequestRecord | undefined;
      try {
        record = await stack.record(run.record.id);
      } catch {
        const answered = stack.callbackAttempts(run.record.id).some((a) => a.status === 410);
        return answered ? "unreadable" : undefined;
      }
      if (!record || record.finalizedAt === undefined) return undefined;
      return record.status === "completed"
        ? "completed"
        : `${record.status}/${record.error?.code ?? ""}`;
    },
    { what: `request ${run.record.id} to settle`, timeoutMs: 20_000 },
  ).catch(() => "still-pending");
}

function judge(stack: LocalStack, run: RequestRun): string[] {
  const problems: string[] = [];
  const id = run.record.id;
  const family = run.plan.poison?.family;
  const allowed = family ? allowedOutcomes(family) : ["completed"];
  if (!allowed.includes(run.outcome)) {
    problems.push(
      `${id} (${family ?? "healthy"}): ended ${run.outcome}, expected ${allowed.join("|")}`,
    );
  }
  for (const attempt of stack.callbackAttempts(id)) {
    if (attempt.status === undefined || attempt.status >= 500) {
      problems.push(`${id}: a callback got ${attempt.status ?? attempt.error}`);
    }
  }
  // Exactly one message answers the request (its reply, or the notice that it was lost); none
  // when its record is unreadable (nobody knows where to post). Counted at the end, so a late
  // duplicate would show.
  const followUpAt = Number(run.followUpTs ?? Number.POSITIVE_INFINITY);
  const answers = stack
    .replies(run.threadTs)
    .filter((m) => m.isBot && Number(m.ts) > Number(run.threadTs) && Number(m.ts) < followUpAt);
  const expected = run.outcome === "unreadable" ? 0 : 1;
  if (answers.length !== expected) {
    problems.push(`${id}: ${answers.length} bot messages answer it, expected ${expected}`);
  }
  return problems;
}
