import {
  type BackendInspector,
  type LocalStack,
  openBackendInspector,
  type StackBackendName,
  startLocalStack,
} from "@baton/stack";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTally, judgeAnswer } from "./hostile-callbacks/case-tally";
import { credentialCases } from "./hostile-callbacks/credential-arbitraries";
import type { HostileCase, HostileWorld } from "./hostile-callbacks/hostile-case";
import { prepareWorld } from "./hostile-callbacks/hostile-world";
import { idCases } from "./hostile-callbacks/id-arbitraries";
import { jsonCases } from "./hostile-callbacks/json-arbitraries";
import {
  createStateObserver,
  describeChanges,
  type ObservedState,
  type StateObserver,
} from "./hostile-callbacks/observed-state";
import { createRawClient, type RawClient } from "./hostile-callbacks/raw-post";
import { timestampCases } from "./hostile-callbacks/timestamp-arbitraries";
import { transportCases } from "./hostile-callbacks/transport-arbitraries";

/**
 * Property: whatever is wrong with a callback request (credential, body, id), the running server
 * answers a 4xx whose body is only `{ error: { code } }`, never a 5xx, and changes nothing: not the
 * store (every key, value and expiry), not Slack, not the agent, not a request's record.
 */

/** Fixed, printed: the same seed generates the same cases, so a failure reproduces. */
const SEED = 20_251_121;
const RUNS: ReadonlyArray<readonly [StackBackendName, number]> = [
  ["redis", 2_000],
  ["sqlite", 500],
];
/** The generated run's own budget; running out of it fails the test (fewer cases than asked). */
const RUN_TIME_LIMIT_MS = 60_000;
const TEST_TIMEOUT_MS = RUN_TIME_LIMIT_MS + 30_000;
/** Work a route defers past its answer (`after`) has this long to show before the last look. */
const SETTLE_MS = 1_000;

describe.each(RUNS)("hostile callbacks against the running server, on %s", (backend, numRuns) => {
  let stack: LocalStack;
  let inspector: BackendInspector;
  let client: RawClient;
  let world: HostileWorld;
  let observer: StateObserver;

  beforeAll(async () => {
    // No deadline sweeps: the timer's own writes would blur "nothing changed" (no request is due).
    stack = await startLocalStack({ backend, env: { BATON_SWEEP_INTERVAL_MS: "0" } });
    inspector = await openBackendInspector(stack);
    client = createRawClient(stack.server.url);
    world = await prepareWorld(stack, inspector, client);
    observer = createStateObserver(stack, inspector, () => [...world.targets, world.expired]);
  });
  afterAll(async () => {
    client?.close();
    await inspector?.close();
    await stack?.stop();
  });

  it(
    `answers ${numRuns} generated bad requests with a coded 4xx and changes nothing`,
    async () => {
      const tally = createTally();
      const baseline = await observer.observe();
      let previous: ObservedState = baseline;
      const hostileRequest: fc.Arbitrary<HostileCase> = fc.oneof(
        ...credentialCases(world),
        ...timestampCases(world),
        ...jsonCases(world),
        ...transportCases(world),
        ...idCases(world),
      );
      const property = fc.asyncProperty(hostileRequest, async (hostile) => {
        const problems: string[] = [];
        const answer = await client.post(hostile.build(world)).catch((error: Error) => {
          problems.push(`no answer: ${error.message}`);
          return undefined;
        });
        if (answer) problems.push(...judgeAnswer(hostile, answer));
        const now = await observer.observe({ records: false });
        problems.push(...describeChanges(previous, now).map((line) => `changed ${line}`));
        previous = now;
        tally.record(hostile, answer, problems);
      });
      const started = Date.now();
      let ranMs = 0;
      try {
        await fc.assert(property, {
          seed: SEED,
          numRuns,
          interruptAfterTimeLimit: RUN_TIME_LIMIT_MS,
          markInterruptAsFailure: true,
        });
        ranMs = Date.now() - started;
        await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
        const changes = describeChanges(baseline, await observer.observe());
        if (changes.length > 0) tally.addViolation(changes.map((line) => `changed ${line}`));
      } finally {
        const seconds = ((ranMs || Date.now() - started) / 1000).toFixed(1);
        console.info(
          tally.summary(
            `[hostile callbacks on ${backend}] seed ${SEED}, ${numRuns} runs in ${seconds} s` +
              ` (store: ${baseline.backend.entries.length} entries, all compared after every` +
              " case and at the end; nothing ignored but entries gone at their own expiry time)",
          ),
        );
      }
      expect(tally.cases).toBe(numRuns);
      expect(tally.violations).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );
});
