/**
 * Store round trips per path, on the real backends: how many StateAdapter calls Baton makes for
 * a mention (record + message state + running) and for a resume (claim, reads, finalise, cleanup),
 * and how long each path takes end to end against the store (no Slack, no agent).
 *
 *   pnpm --filter @baton/bench store-round-trips [requests=300]
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  beginResume,
  countStateCalls,
  createBotRequestStore,
  createMessageStateStore,
  finishResume,
  guardStateAdapter,
  newBotRequestFromMention,
} from "@baton/core";
import { createRedisState } from "@baton/state-redis";
import { createSqliteState } from "@baton/state-sqlite";
import {
  createFixtureSlackEmulator,
  createSlackTestBot,
  FIXTURE_WORKSPACE,
  parseMentionEnvelope,
  SAMPLE_MENTIONS,
  startRedisServer,
} from "@baton/testing";
import type { StateAdapter } from "chat";
import { printTable, writeResults } from "./results";

const REQUESTS = Number(process.argv[2] ?? 300);

interface BackendUnderTest {
  name: string;
  open(): Promise<{ state: StateAdapter; close(): Promise<void> }>;
}

const backends: BackendUnderTest[] = [
  {
    name: "sqlite (FULL)",
    async open() {
      const dir = mkdtempSync(join(tmpdir(), "baton-bench-"));
      const state = guardStateAdapter(createSqliteState({ path: join(dir, "s.sqlite") }), "sqlite");
      await state.connect();
      return {
        state,
        close: async () => {
          await state.disconnect();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: "redis",
    async open() {
      const server = await startRedisServer();
      const state = guardStateAdapter(createRedisState({ url: server.url }), "redis");
      await state.connect();
      return {
        state,
        close: async () => {
          await state.disconnect();
          await server.stop();
        },
      };
    },
  },
];

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

const sample = SAMPLE_MENTIONS.find((m) => m.name === "typical");
if (!sample) throw new Error("no typical sample");
const workspace = createFixtureSlackEmulator();

const rows: Record<string, string | number>[] = [];
const figures: Record<string, unknown>[] = [];
for (const backend of backends) {
  const { state, close } = await backend.open();
  const counter = countStateCalls(state);
  const requests = createBotRequestStore({ state: counter.state });
  const messageStates = createMessageStateStore({ state: counter.state });
  const bot = createSlackTestBot({ state });
  await bot.chat.initialize();

  const paths: Record<string, { calls: Record<string, number>[]; ms: number[] }> = {
    mention: { calls: [], ms: [] },
    resume: { calls: [], ms: [] },
    "duplicate callback": { calls: [], ms: [] },
  };
  const measure = async (path: string, work: () => Promise<void>) => {
    counter.reset();
    const started = performance.now();
    await work();
    paths[path]?.ms.push(performance.now() - started);
    paths[path]?.calls.push(counter.counts());
  };

  for (let i = 0; i < REQUESTS; i++) {
    const id = randomUUID();
    const { envelope } = workspace.composeMention({
      channel: FIXTURE_WORKSPACE.channel.id,
      user: FIXTURE_WORKSPACE.human.id,
      ...sample.input,
    });
    const { message, thread } = parseMentionEnvelope(bot, envelope);

    await measure("mention", async () => {
      const record = await requests.create(
        newBotRequestFromMention(id, thread, message, Date.now() + 60_000),
      );
      await messageStates.save(id, thread, message);
      await requests.markRunning(record, { agentSessionId: "s", executionId: "e" });
    });
    await measure("resume", async () => {
      const start = await beginResume({ state: counter.state, requests }, id);
      if (start.kind !== "claimed") throw new Error(`resume of ${id}: ${start.kind}`);
      await finishResume({ state: counter.state, requests }, start, { status: "completed" });
    });
    await measure("duplicate callback", async () => {
      const start = await beginResume({ state: counter.state, requests }, id);
      if (start.kind !== "already-final") throw new Error(`duplicate of ${id}: ${start.kind}`);
    });
  }

  for (const [path, { calls, ms }] of Object.entries(paths)) {
    const perOp = calls[0] ?? {};
    const total = Object.values(perOp).reduce((a, b) => a + b, 0);
    const sorted = [...ms].sort((a, b) => a - b);
    rows.push({
      backend: backend.name,
      path,
      "store calls": total,
      breakdown: Object.entries(perOp)
        .map(([op, n]) => `${op}x${n}`)
        .join(" "),
      "p50 ms": percentile(sorted, 50).toFixed(2),
      "p99 ms": percentile(sorted, 99).toFixed(2),
    });
    figures.push({
      backend: backend.name,
      path,
      storeCalls: total,
      breakdown: perOp,
      samples: ms.length,
      p50Ms: percentile(sorted, 50),
      p99Ms: percentile(sorted, 99),
    });
  }
  await close();
}

printTable(rows);
console.log(`\nresults: ${writeResults("store-round-trips", figures)}`);
process.exit(0);
