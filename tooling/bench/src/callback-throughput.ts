/**
 * Callback throughput against ONE real Next server (`next start`, production build): signed
 * `completed` callbacks, each for a different real pending request, at 1, 16 and 64 concurrent
 * connections, compared with the same build's bare POST route at the same levels and body size,
 * and with the floor route (`post`): the bare route plus one Slack post through the same adapter,
 * and nothing else, which is what any reply posted inside the callback request costs at least.
 * Target: the callback route keeps >= 85% of the floor route's req/s at 16 and 64 connections.
 * Floor and callback run in halves, floor-callback-callback-floor, summed per route.
 *
 *   pnpm --filter @baton/bench callback-throughput [redis|sqlite] [--emulator=process|inline]
 *   pnpm --filter @baton/bench callback-throughput [redis|sqlite] --telemetry=compare
 *
 * `--telemetry=compare` measures instead the callback route with metrics and tracing off, then
 * on (BATON_METRICS_TOKEN and OTEL_EXPORTER_OTLP_ENDPOINT set, spans exported to a sink), in one
 * run, and writes `callback-throughput-telemetry[-sqlite].json`.
 *
 * Every callback must answer 200, and afterwards every request must be `completed` with exactly
 * one reply in its Slack thread; otherwise the run is invalid (exit code 1).
 *
 * The Slack emulator runs in a child process by default, so its work (about 0.2 ms of CPU per
 * callback) neither stalls the load generator's event loop nor counts in its figures; inline, the
 * server's CPU per callback measured the same. Besides req/s, the table compares the server's CPU
 * per request, which holds steady when other processes share the machine (they are reported).
 * `callback-profile` says where the server's CPU per callback goes.
 */

import type { BenchStack } from "./callback-load/bench-stack";
import {
  type CallbackBatch,
  prepareCallbackBatch,
  preparePostFloorBatch,
} from "./callback-load/callback-batch";
import { combinedRun } from "./callback-load/combined-run";
import type { LoadLength } from "./callback-load/load-run";
import { type MeasuredRun, measuredRun } from "./callback-load/measured-run";
import { createQuietWait } from "./callback-load/quiet-machine";
import type { PendingRequest } from "./callback-load/seed-requests";
import { bareRequestLike, signedCompletedCallback } from "./callback-load/signed-callbacks";
import { parseStackArgs, resultsName, startStackForBenchmark } from "./callback-load/stack-args";
import { compareTelemetryModes } from "./callback-load/telemetry-compare";
import { type OutcomeCheck, verifyOutcomes } from "./callback-load/verify-outcomes";
import { printTable, writeResults } from "./results";

const LEVELS = [1, 16, 64] as const;
/** The callback route must keep this share of the floor route's req/s ... */
const TARGET_RATIO = 0.85;
/** ... at these levels. */
const TARGET_LEVELS: readonly number[] = [16, 64];
/** Each measured level runs about this long. */
const LEVEL_SECONDS = 10;
const WARMUP_SECONDS = 3;
const WARMUP_CONNECTIONS = 16;
const WARMUP_CALLBACKS = 1_500;
/** Bounds on the callbacks seeded per level, whatever the rate estimate says. */
const MIN_CALLBACKS = 1_000;
const MAX_CALLBACKS = 25_000;
/** Before each run, wait (in all at most this long) for other work on the machine to stop. */
const QUIET_WAIT_BUDGET_MS = 90_000;
const quiet = createQuietWait(QUIET_WAIT_BUDGET_MS);

const log = (line: string) => console.log(`[callback-throughput] ${line}`);

/** The bare route's request: one real signed callback's headers and bytes, never consumed. */
function bareTemplate(stack: BenchStack) {
  const stand: PendingRequest = {
    botRequestId: "00000000-0000-4000-8000-000000000000",
    agentSessionId: "sess_00000000-0000-4000-8000-000000000000",
    executionId: "exec_00000000-0000-4000-8000-000000000000",
    channel: "C0BENCH00000",
    threadTs: "0.000000",
  };
  return bareRequestLike(signedCompletedCallback(stack.serverSecret, stand));
}

async function runBare(stack: BenchStack, connections: number, length: LoadLength) {
  const request = bareTemplate(stack);
  return measuredRun(stack, "bare", { connections, length, next: () => request }, quiet);
}

async function runBatch(
  stack: BenchStack,
  route: "post" | "callback",
  connections: number,
  batch: CallbackBatch,
  sent: PendingRequest[],
): Promise<MeasuredRun> {
  try {
    return await measuredRun(
      stack,
      route,
      { connections, length: { amount: batch.size }, next: () => batch.next() },
      quiet,
    );
  } finally {
    sent.push(...batch.sent());
  }
}

async function runCallbacks(
  stack: BenchStack,
  connections: number,
  count: number,
  sent: PendingRequest[],
): Promise<MeasuredRun> {
  return runBatch(stack, "callback", connections, await prepareCallbackBatch(stack, count), sent);
}

/** The floor: a bare route plus one Slack post, what any in-request reply costs at least. */
async function runPostFloor(stack: BenchStack, connections: number, count: number) {
  return runBatch(stack, "post", connections, await preparePostFloorBatch(stack, count), []);
}

function describe(run: MeasuredRun): string {
  const statuses = Object.entries(run.statusCounts)
    .map(([status, count]) => `${status}x${count}`)
    .join(" ");
  const others = run.coresBusy.others ?? 0;
  return `${run.route} c=${run.connections}: ${run.requests} in ${run.durationS.toFixed(1)} s = ${run.rps.toFixed(0)} req/s [${statuses}], other processes ${run.busyCoresBefore.toFixed(2)} cores before, ${others.toFixed(2)} during`;
}

interface Figures {
  warmup: MeasuredRun[];
  runs: MeasuredRun[];
  /** Each level's floor and callback req/s, half by half, in the order A then B. */
  halves: { connections: number; floor: number[]; callback: number[] }[];
  outcomes: OutcomeCheck;
}

async function measure(stack: BenchStack): Promise<Figures> {
  const sent: PendingRequest[] = [];
  const warmup: MeasuredRun[] = [];
  warmup.push(
    await runBare(stack, WARMUP_CONNECTIONS, { durationS: WARMUP_SECONDS }),
    await runCallbacks(stack, WARMUP_CONNECTIONS, WARMUP_CALLBACKS, sent),
    await runPostFloor(stack, WARMUP_CONNECTIONS, WARMUP_CALLBACKS),
  );
  for (const run of warmup) log(`warm-up ${describe(run)}`);
  const [bareWarm, callbackWarm] = warmup;
  // Sizes each callback level to run about LEVEL_SECONDS, from the warm-up's callback/bare ratio.
  const warmRatio = bareWarm && callbackWarm ? callbackWarm.rps / bareWarm.rps : 1;

  const runs: MeasuredRun[] = [];
  const halves: Figures["halves"] = [];
  for (const connections of LEVELS) {
    const bare = await runBare(stack, connections, { durationS: LEVEL_SECONDS });
    log(describe(bare));
    const estimate = Math.round(bare.rps * warmRatio * LEVEL_SECONDS);
    // Never more than twice the level's length at the warm-up's callback rate.
    const ceiling = Math.min(
      MAX_CALLBACKS,
      Math.round((callbackWarm?.rps ?? 0) * 2 * LEVEL_SECONDS),
    );
    const count = Math.max(MIN_CALLBACKS, Math.min(ceiling, estimate));
    // Floor and callback in halves, A B B A: a drift of the machine's speed during the level
    // (seen on this VM: ±10 % between minutes) weighs on both routes alike.
    const half = Math.ceil(count / 2);
    const floorA = await runPostFloor(stack, connections, half);
    const callbackA = await runCallbacks(stack, connections, half, sent);
    const callbackB = await runCallbacks(stack, connections, half, sent);
    const floorB = await runPostFloor(stack, connections, half);
    for (const part of [floorA, callbackA, callbackB, floorB]) log(`half: ${describe(part)}`);
    const floor = combinedRun([floorA, floorB]);
    const callback = combinedRun([callbackA, callbackB]);
    halves.push({
      connections,
      floor: [floorA.rps, floorB.rps],
      callback: [callbackA.rps, callbackB.rps],
    });
    runs.push(bare, floor, callback);
  }
  log(`verifying ${sent.length} requests and their replies`);
  return {
    warmup,
    runs,
    halves,
    outcomes: await verifyOutcomes(stack.state, stack.emulator, sent),
  };
}

function report(figures: Figures) {
  const runAt = (route: MeasuredRun["route"], connections: number) =>
    figures.runs.find((run) => run.route === route && run.connections === connections);
  const rows = figures.runs.map((run) => {
    const bare = runAt("bare", run.connections);
    const ratio = run.route !== "bare" && bare ? run.rps / bare.rps : undefined;
    const floor = runAt("post", run.connections);
    const floorRatio = run.route === "callback" && floor ? run.rps / floor.rps : undefined;
    // The same comparison by the server's CPU per request: steadier while other work shares
    // the machine, since it does not depend on how much CPU the server got.
    const floorCpuRatio =
      run.route === "callback" && floor
        ? (floor.cpuMsPerRequest.next ?? 0) / (run.cpuMsPerRequest.next ?? 1)
        : undefined;
    const targeted = run.route === "callback" && TARGET_LEVELS.includes(run.connections);
    const percent = (value: number | undefined) =>
      value === undefined ? "-" : `${(value * 100).toFixed(0)}%`;
    return {
      route: run.route,
      connections: run.connections,
      requests: run.requests,
      "req/s": run.rps.toFixed(0),
      // autocannon records whole milliseconds.
      "p50 ms": run.p50Ms.toFixed(0),
      "p99 ms": run.p99Ms.toFixed(0),
      "non-200": run.non200 + run.errors,
      "% of bare": percent(ratio),
      "% of floor": percent(floorRatio),
      [`target >= ${TARGET_RATIO * 100}% of floor`]:
        !targeted || floorRatio === undefined ? "-" : floorRatio >= TARGET_RATIO ? "met" : "MISSED",
      "% of floor by server CPU": percent(floorCpuRatio),
      ratio,
      floorRatio,
      floorCpuRatio,
    };
  });
  printTable(rows.map(({ ratio: _r, floorRatio: _f, floorCpuRatio: _c, ...row }) => row));
  console.log("\nCPU ms per request (cores busy) by process:");
  printTable(
    figures.runs.map((run) => ({
      route: run.route,
      connections: run.connections,
      ...Object.fromEntries(
        Object.entries(run.cpuMsPerRequest).map(([name, ms]) => [
          name,
          `${ms.toFixed(3)} (${(run.coresBusy[name] ?? 0).toFixed(2)})`,
        ]),
      ),
      "other processes (cores)": (run.coresBusy.others ?? 0).toFixed(2),
    })),
  );
  console.log("\nFloor and callback req/s by half (run floor A, callback A, callback B, floor B):");
  printTable(
    figures.halves.map(({ connections, floor, callback }) => ({
      connections,
      "floor A / B": floor.map((rps) => rps.toFixed(0)).join(" / "),
      "callback A / B": callback.map((rps) => rps.toFixed(0)).join(" / "),
      "% of floor A / B": callback
        .map((rps, i) => `${((rps / (floor[i] ?? Number.NaN)) * 100).toFixed(0)}%`)
        .join(" / "),
    })),
  );
  const redisRun = figures.runs.find(
    (run) => run.route === "callback" && run.redisCommandsPerRequest,
  );
  if (redisRun?.redisCommandsPerRequest) {
    const commands = Object.entries(redisRun.redisCommandsPerRequest)
      .map(([command, n]) => `${command} ${n}`)
      .join(", ");
    console.log(`\nRedis commands per callback (c=${redisRun.connections}): ${commands}`);
  }
  return rows;
}

const TELEMETRY_FLAG = "--telemetry=compare";
const argv = process.argv.slice(2);
const options = parseStackArgs(argv.filter((arg) => arg !== TELEMETRY_FLAG));
if (argv.includes(TELEMETRY_FLAG)) {
  const modes = await compareTelemetryModes(options, quiet, log);
  const valid = modes.every((m) => m.outcomes.ok && m.runs.every((r) => r.non200 + r.errors === 0));
  const path = writeResults(`${resultsName("callback-throughput", options)}-telemetry`, {
    valid,
    backend: options.backend,
    modes,
  });
  console.log(`${valid ? "run VALID" : "run INVALID"}\nresults: ${path}`);
  process.exit(valid ? 0 : 1);
}
const { stack, build } = await startStackForBenchmark(options, log);
let valid = false;
try {
  const figures = await measure(stack);
  const emulatorStats = await stack.emulator.stats();
  const rows = report(figures);
  const failedRuns = [...figures.warmup, ...figures.runs].filter(
    (run) => run.non200 + run.errors > 0,
  );
  for (const run of failedRuns) {
    console.log(`FAILED ${describe(run)} errors=${run.errors} timeouts=${run.timeouts}`);
    for (const sample of run.failureSamples) console.log(`  ${sample}`);
  }
  const { outcomes } = figures;
  console.log(
    `\noutcomes: ${outcomes.completed}/${outcomes.checked} completed, ${outcomes.repliedOnce}/${outcomes.checked} replied exactly once, ${outcomes.botReplies} bot replies; Slack API calls ${JSON.stringify(emulatorStats.apiCalls)}, ${emulatorStats.failedCalls} failed`,
  );
  for (const problem of outcomes.problems) console.log(`  ${problem}`);
  valid = failedRuns.length === 0 && outcomes.ok && emulatorStats.failedCalls === 0;
  console.log(valid ? "run VALID" : "run INVALID: see the failures above");
  // The production configuration keeps the plain name; variants do not overwrite it.
  const path = writeResults(resultsName("callback-throughput", options), {
    valid,
    quietWaitMs: quiet.waitedMs(),
    backend: options.backend,
    emulator: options.emulator,
    build,
    target: { ratio: TARGET_RATIO, levels: TARGET_LEVELS },
    rows: rows.map((row, i) => ({ ...row, run: figures.runs[i] })),
    warmup: figures.warmup,
    halves: figures.halves,
    outcomes,
    emulatorStats,
  });
  console.log(`\nresults: ${path}`);
} catch (error) {
  console.error(error);
  console.error(`server output (tail):\n${stack.server.output().slice(-3_000)}`);
} finally {
  await stack.stop();
}
process.exit(valid ? 0 : 1);
