/**
 * Where the Next server's CPU goes per callback: one server, both routes warmed up, then a CPU
 * profile window over callbacks at 16 connections and another over the bare route, each
 * summarized by origin (package), top self-time frames and inclusive time of the callback's
 * stages; then the floor route (the bare route plus one Slack post), whose cost the callback's
 * target is measured against. `--heap` samples allocations instead of CPU time (bytes per
 * request by package and by frame: the garbage collector's work follows them). `--keep` copies
 * the raw profiles into the results folder, for a closer look in a profile viewer. The profiler
 * is preloaded into the server and toggled by signal (Node 20 refuses --cpu-prof in
 * NODE_OPTIONS), so start-up and warm-up stay out of the figures.
 *
 *   pnpm --filter @baton/bench callback-profile [redis|sqlite] [callbacks=3000] [--heap] [--keep]
 *
 * Profiling slows the server; use the figures as shares, and callback-throughput for rates.
 */
import { copyFileSync } from "node:fs";
import { extname } from "node:path";
import { type BackendName, type BenchStack, startBenchStack } from "./callback-load/bench-stack";
import {
  type CallbackBatch,
  prepareCallbackBatch,
  preparePostFloorBatch,
} from "./callback-load/callback-batch";
import {
  type OriginGroups,
  type ProfileSummary,
  summarizeCpuProfile,
} from "./callback-load/cpu-profile-summary";
import {
  type HeapProfileSummary,
  summarizeHeapProfile,
} from "./callback-load/heap-profile-summary";
import { type MeasuredRun, measuredRun } from "./callback-load/measured-run";
import { createQuietWait } from "./callback-load/quiet-machine";
import type { PendingRequest } from "./callback-load/seed-requests";
import { createServerProfiler, type ProfileKind } from "./callback-load/server-profiler";
import { bareRequestLike, signedCompletedCallback } from "./callback-load/signed-callbacks";
import { verifyOutcomes } from "./callback-load/verify-outcomes";
import { ensureFreshBuild } from "./callback-load/web-build";
import { printTable, resultsPath, writeResults } from "./results";

const CONNECTIONS = 16;
const WARMUP_REQUESTS = 1_000;
const WARMUP_SECONDS = 3;
const BARE_SECONDS = 10;
/** Before each run, wait (in all at most this long) for other work on the machine to stop. */
const quiet = createQuietWait(60_000);

const args = process.argv.slice(2);
const keepProfiles = args.includes("--keep");
const kind: ProfileKind = args.includes("--heap") ? "heap" : "cpu";
const positional = args.filter((arg) => !arg.startsWith("--"));
const backend: BackendName = positional[0] === "sqlite" ? "sqlite" : "redis";
const callbacks = Number(positional[1] ?? 3_000);

/** Origins grouped by what they do, to find out who calls them. */
const GROUPS: OriginGroups = {
  "markdown (unified/remark/micromark/mdast)": (origin) =>
    /^(unified|remark-|mdast-|micromark|unist-|vfile|trough|bail|devlop|decode-named|character-|ccount|markdown-table|longest-streak|zwitch)/.test(
      origin,
    ),
  "Slack Web API client (@slack/web-api, axios)": (origin) =>
    /^(@slack\/web-api|axios|form-data|follow-redirects|p-queue|p-retry)/.test(origin),
  zod: (origin) => origin === "zod",
  "Redis client": (origin) =>
    /^(ioredis|@chat-adapter\/state-ioredis|@baton\/state-redis)$/.test(origin),
};

function print(title: string, summary: ProfileSummary, requests: number) {
  console.log(
    `\n== ${title}: ${summary.busyMs} ms busy, ${(summary.busyMs / requests).toFixed(2)} ms per request`,
  );
  const table = (heading: string, rows: ProfileSummary["topSelf"], limit: number) => {
    console.log(`-- ${heading}`);
    printTable(
      rows.slice(0, limit).map((row) => ({ ...row, "ms/req": (row.ms / requests).toFixed(3) })),
    );
  };
  table("inclusive time by Baton file (the callback's stages)", summary.inclusiveByBatonFile, 15);
  table("inclusive time by origin (anywhere on the stack)", summary.inclusiveByOrigin, 20);
  table("self time by origin", summary.selfByOrigin, 15);
  table("top self-time frames", summary.topSelf, 20);
  for (const [group, callers] of Object.entries(summary.callersOf)) {
    const total = summary.groupMs[group] ?? 0;
    table(`callers of ${group} (${(total / requests).toFixed(3)} ms/req in all)`, callers, 8);
  }
}

function assertAllOk(run: MeasuredRun): MeasuredRun {
  if (run.non200 + run.errors > 0) {
    throw new Error(
      `${run.route} run failed: ${JSON.stringify(run.statusCounts)} ${run.failureSamples.join("; ")}`,
    );
  }
  return run;
}

/** Runs every request of a prepared batch (callbacks or floor posts) at CONNECTIONS. */
async function batchRun(stack: BenchStack, route: "callback" | "post", batch: CallbackBatch) {
  const run = await measuredRun(
    stack,
    route,
    { connections: CONNECTIONS, length: { amount: batch.size }, next: () => batch.next() },
    quiet,
  );
  return assertAllOk(run);
}

async function callbackRun(stack: BenchStack, count: number, sent: PendingRequest[]) {
  const batch = await prepareCallbackBatch(stack, count);
  try {
    return await batchRun(stack, "callback", batch);
  } finally {
    sent.push(...batch.sent());
  }
}

async function floorRun(stack: BenchStack, count: number) {
  return batchRun(stack, "post", await preparePostFloorBatch(stack, count));
}

/** Summarizes a profile window, keeping its raw file when asked to. */
function summarize(path: string, name: string): ProfileSummary | HeapProfileSummary {
  if (keepProfiles) {
    const kept = resultsPath(`callback-profile-${backend}-${name}.${extname(path).slice(1)}`);
    copyFileSync(path, kept);
    console.log(`kept ${kept}`);
  }
  return kind === "heap" ? summarizeHeapProfile(path) : summarizeCpuProfile(path, GROUPS);
}

function printAllocations(title: string, summary: HeapProfileSummary, requests: number) {
  const perRequest = (bytes: number) => (bytes / requests / 1024).toFixed(1);
  console.log(`\n== ${title}: ${perRequest(summary.totalBytes)} KB allocated per request`);
  const table = (heading: string, rows: HeapProfileSummary["topSelf"], limit: number) => {
    console.log(`-- ${heading}`);
    printTable(
      rows.slice(0, limit).map(({ name, pct, bytes }) => ({
        name,
        pct,
        "KB/req": perRequest(bytes),
      })),
    );
  };
  table("allocated by origin", summary.selfByOrigin, 15);
  table("allocated with a Baton file on the stack", summary.inclusiveByBatonFile, 15);
  table("top allocating frames", summary.topSelf, 25);
}

function show(title: string, summary: ProfileSummary | HeapProfileSummary, requests: number) {
  if ("totalBytes" in summary) printAllocations(title, summary, requests);
  else print(title, summary, requests);
}

function bareRun(stack: BenchStack, length: { durationS: number }) {
  const stand: PendingRequest = {
    botRequestId: "00000000-0000-4000-8000-000000000000",
    agentSessionId: "sess_0",
    executionId: "exec_0",
    channel: "C0BENCH00000",
    threadTs: "0.000000",
  };
  const request = bareRequestLike(signedCompletedCallback(stack.serverSecret, stand));
  return measuredRun(
    stack,
    "bare",
    { connections: CONNECTIONS, length, next: () => request },
    quiet,
  ).then(assertAllOk);
}

await ensureFreshBuild();
const profiler = createServerProfiler(kind);
const stack = await startBenchStack({ backend, emulator: "process", serverEnv: profiler.env });
const pid = stack.server.pid;
if (pid === undefined) throw new Error("server has no pid");
const sent: PendingRequest[] = [];
try {
  await bareRun(stack, { durationS: WARMUP_SECONDS });
  await callbackRun(stack, WARMUP_REQUESTS, sent);
  await floorRun(stack, WARMUP_REQUESTS);

  await profiler.start(pid);
  const callback = await callbackRun(stack, callbacks, sent);
  const callbackProfile = summarize(await profiler.stop(pid), "callback");
  await profiler.start(pid);
  const floor = await floorRun(stack, callbacks);
  const floorProfile = summarize(await profiler.stop(pid), "floor");
  await profiler.start(pid);
  const bare = await bareRun(stack, { durationS: BARE_SECONDS });
  const bareProfile = summarize(await profiler.stop(pid), "bare");

  const outcomes = await verifyOutcomes(stack.state, stack.emulator, sent);
  if (!outcomes.ok) throw new Error(`outcomes: ${outcomes.problems.join("; ")}`);
  show(
    `callback route, ${callback.requests} callbacks at ${callback.rps.toFixed(0)} req/s`,
    callbackProfile,
    callback.requests,
  );
  show(
    `floor route (bare + one Slack post), ${floor.requests} requests at ${floor.rps.toFixed(0)} req/s`,
    floorProfile,
    floor.requests,
  );
  show(
    `bare route, ${bare.requests} requests at ${bare.rps.toFixed(0)} req/s`,
    bareProfile,
    bare.requests,
  );
  const path = writeResults(kind === "heap" ? "callback-allocations" : "callback-profile", {
    backend,
    connections: CONNECTIONS,
    callback: { run: callback, profile: callbackProfile },
    floor: { run: floor, profile: floorProfile },
    bare: { run: bare, profile: bareProfile },
  });
  console.log(`\nresults: ${path}`);
} finally {
  await stack.stop();
  profiler.dispose();
}
process.exit(0);
