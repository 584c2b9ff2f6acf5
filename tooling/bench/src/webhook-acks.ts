/**
 * Webhook acknowledgement latency against ONE real Next server (`next start`, production build):
 * signed Slack `app_mention` deliveries whose text holds links (the Slack adapter then waits up
 * to 2 s for unfurls before Baton's handler runs), each a different message, at 1, 16 and 64
 * in flight, next to the same build's bare POST route with the same headers and body size.
 * Target: p99 under 100 ms at 16 and 64 in flight (Slack's own limit is 3 s).
 *
 *   pnpm --filter @baton/bench webhook-acks [redis|sqlite] [--emulator=process|inline]
 *
 * Every delivery must be answered 200, and afterwards every mention must be stored as a bot
 * request (nothing acknowledged that was not stored) and the webhook inbox empty; otherwise the
 * run is invalid (exit code 1). The agent URL answers nothing, so each stored request's dispatch
 * fails after the acknowledgement: background work a real agent would also cause.
 */

import { createHmac } from "node:crypto";
import { mentionKey, SWEEP_INTERVAL_MS, webhookInboxKey } from "@baton/core";
import { FIXTURE_WORKSPACE } from "@baton/testing";
import type { BenchStack } from "./callback-load/bench-stack";
import { type LoadResult, runLoad } from "./callback-load/load-run";
import { createQuietWait } from "./callback-load/quiet-machine";
import { BARE_PATH, type PreparedRequest } from "./callback-load/signed-callbacks";
import { parseStackArgs, resultsName, startStackForBenchmark } from "./callback-load/stack-args";
import { printTable, writeResults } from "./results";

const LEVELS = [1, 16, 64] as const;
const TARGET_P99_MS = 100;
const TARGET_LEVELS: readonly number[] = [16, 64];
/** Deliveries per level (each a distinct mention, so each one is processed and stored). */
const DELIVERIES: Record<(typeof LEVELS)[number], number> = { 1: 200, 16: 800, 64: 1_600 };
const BARE_REQUESTS = 2_000;
const WARMUP_DELIVERIES = 100;
/** How long the mentions may take to be stored after the last acknowledgement. */
const SETTLE_TIMEOUT_MS = 300_000;
const QUIET_WAIT_BUDGET_MS = 60_000;
const WEBHOOK_PATH = "/api/webhooks/slack";
const quiet = createQuietWait(QUIET_WAIT_BUDGET_MS);

/** A realistic request holding two links, inline code and non-ASCII. */
const MENTION_TEXT =
  "p99 on checkout jumped after the 14:05 deploy — dashboard " +
  "<https://grafana.example.com/d/api-latency?from=now-6h&var-service=checkout|the latency dashboard> and the runbook " +
  "<https://wiki.example.com/runbooks/checkout#latency>. Compare `kubectl top pods` in prod " +
  "(sorted by CPU) and tell me whether the café-service (☕) is the culprit.";

const log = (line: string) => console.log(`[webhook-acks] ${line}`);

/** Slack's v0 signature, made when the request is sent (the adapter refuses stale ones). */
function signed(path: string, body: string): PreparedRequest {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const digest = createHmac("sha256", FIXTURE_WORKSPACE.signingSecret)
    .update(`v0:${timestamp}:${body}`)
    .digest("hex");
  return {
    path,
    headers: {
      "content-type": "application/json",
      "x-slack-request-timestamp": timestamp,
      "x-slack-signature": `v0=${digest}`,
    },
    body,
  };
}

interface Composed {
  ts: string;
  eventId: string;
  body: string;
}

async function compose(stack: BenchStack, count: number): Promise<Composed[]> {
  const channels = Array.from({ length: count }, () => FIXTURE_WORKSPACE.channel.id);
  const mentions = await stack.emulator.compose(channels, MENTION_TEXT);
  return mentions.map((m) => ({
    ts: m.ts,
    eventId: String(m.envelope.event_id),
    body: JSON.stringify(m.envelope),
  }));
}

async function ackRun(stack: BenchStack, connections: number, mentions: Composed[]) {
  let next = 0;
  return runLoad({
    baseUrl: stack.server.url,
    connections,
    length: { amount: mentions.length },
    next: () => {
      const mention = mentions[next++ % mentions.length];
      if (!mention) throw new Error("no mention composed");
      return signed(WEBHOOK_PATH, mention.body);
    },
  });
}

function bareRun(stack: BenchStack, connections: number, body: string) {
  return runLoad({
    baseUrl: stack.server.url,
    connections,
    length: { amount: BARE_REQUESTS },
    next: () => signed(BARE_PATH, body),
  });
}

/** Waits until every mention is stored and none is left in the inbox. */
async function settle(stack: BenchStack, mentions: Composed[]) {
  const started = Date.now();
  let pending = mentions;
  while (pending.length > 0 && Date.now() - started < SETTLE_TIMEOUT_MS) {
    const left: Composed[] = [];
    for (const m of pending) {
      const stored = (await stack.state.get(mentionKey("slack", m.ts))) !== null;
      const inInbox = (await stack.state.get(webhookInboxKey("slack", m.eventId))) !== null;
      if (!stored || inInbox) left.push(m);
    }
    pending = left;
    if (pending.length > 0) await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  return { checked: mentions.length, unsettled: pending.length, settleMs: Date.now() - started };
}

const ms = (value: number) => value.toFixed(1);

function row(route: string, run: LoadResult) {
  return {
    route,
    "in flight": run.connections,
    requests: run.requests,
    "req/s": Math.round(run.rps),
    "p50 ms": ms(run.p50Ms),
    "p99 ms": ms(run.p99Ms),
    "max ms": ms(run.maxMs),
    "non-200": run.non200 + run.errors,
  };
}

const options = parseStackArgs(process.argv.slice(2));
// Sweeping on: the webhook inbox drain runs with it, and processes what the instance's own
// processing slots left to it (deliveries that waited too long for a slot).
const { stack, build } = await startStackForBenchmark(options, log, {
  BATON_SWEEP_INTERVAL_MS: String(SWEEP_INTERVAL_MS),
});
let valid = false;
try {
  const all: Composed[] = [];
  const warm = await compose(stack, WARMUP_DELIVERIES);
  all.push(...warm);
  await ackRun(stack, 16, warm);
  await settle(stack, warm);
  const runs: { route: string; run: LoadResult; busyCoresBefore: number }[] = [];
  for (const level of LEVELS) {
    const mentions = await compose(stack, DELIVERIES[level]);
    all.push(...mentions);
    const bodyLike = mentions[0]?.body ?? "{}";
    let busyCoresBefore = await quiet.untilQuiet();
    runs.push({ route: "bare", run: await bareRun(stack, level, bodyLike), busyCoresBefore });
    busyCoresBefore = await quiet.untilQuiet();
    const run = await ackRun(stack, level, mentions);
    runs.push({ route: "webhook (links)", run, busyCoresBefore });
    log(
      `${level} in flight: ${run.requests} acks, p99 ${ms(run.p99Ms)} ms; waiting for them to be stored`,
    );
    const settled = await settle(stack, mentions);
    log(
      `  stored ${settled.checked - settled.unsettled}/${settled.checked} in ${settled.settleMs} ms`,
    );
  }
  const outcome = await settle(stack, all);
  const rows = runs.map((r) => row(r.route, r.run));
  console.log("");
  printTable(rows);
  const targetMet = runs
    .filter((r) => r.route !== "bare" && TARGET_LEVELS.includes(r.run.connections))
    .every((r) => r.run.p99Ms < TARGET_P99_MS);
  const failed = runs.filter((r) => r.run.non200 + r.run.errors > 0);
  for (const r of failed) {
    console.log(`FAILED ${r.route} at ${r.run.connections}: ${JSON.stringify(r.run.statusCounts)}`);
    for (const sample of r.run.failureSamples) console.log(`  ${sample}`);
  }
  console.log(
    `\nmentions stored afterwards: ${outcome.checked - outcome.unsettled}/${outcome.checked}` +
      ` (inbox empty for all but ${outcome.unsettled}); target p99 < ${TARGET_P99_MS} ms at ` +
      `${TARGET_LEVELS.join(" and ")} in flight: ${targetMet ? "met" : "NOT met"}`,
  );
  valid = failed.length === 0 && outcome.unsettled === 0;
  console.log(valid ? "run VALID" : "run INVALID: see the failures above");
  const path = writeResults(resultsName("webhook-acks", options), {
    valid,
    targetMet,
    target: { p99Ms: TARGET_P99_MS, levels: TARGET_LEVELS },
    quietWaitMs: quiet.waitedMs(),
    backend: options.backend,
    emulator: options.emulator,
    build,
    rows: runs.map((r, i) => ({ ...rows[i], busyCoresBefore: r.busyCoresBefore, run: r.run })),
    outcome,
  });
  console.log(`\nresults: ${path}`);
} catch (error) {
  console.error(error);
  console.error(`server output (tail):\n${stack.server.output().slice(-3_000)}`);
} finally {
  await stack.stop();
}
process.exit(valid ? 0 : 1);
