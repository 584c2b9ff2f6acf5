/**
 * Store round trips per path, on the real backends: how many StateAdapter calls Baton's real
 * flows make for a mention (claim the message, record, message state, deadline, subscribe, thread
 * queue, session binding, running) and for a resume (the signed callback: replay guard, claim,
 * reads, reply record, finalise, cleanup), and how long each path takes. The Chat SDK's calls go
 * through the same counted adapter. Slack is the loopback emulator; the agent is an in-process
 * stand-in that accepts at once, so its latency is not measured here.
 *
 *   pnpm --filter @baton/bench store-round-trips [requests=300]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createCallbackSigner,
  createCallbackVerifier,
  deriveRequestSecret,
  PROTOCOL_VERSION,
} from "@baton/agent-protocol";
import { type AgentClient, createBatonFlows, guardStateAdapter } from "@baton/core";
import { createRedisState } from "@baton/state-redis";
import { createSqliteState } from "@baton/state-sqlite";
import {
  countStateCalls,
  createFixtureSlackEmulator,
  createSlackTestBot,
  FIXTURE_WORKSPACE,
  parseMentionEnvelope,
  SAMPLE_MENTIONS,
  startRedisServer,
} from "@baton/testing";
import { ConsoleLogger, type StateAdapter } from "chat";
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
      // Guarded by createRedisState itself, as in the app.
      const state = createRedisState({ url: server.url });
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

const SERVER_SECRET = "bench-server-secret-0123456789abcdef0123456789";

/** Accepts every dispatch at once: the bench measures Baton and its store, not an agent. */
const instantAgent: AgentClient = {
  dispatch: async (request) => ({
    kind: "accepted",
    value: {
      agentSessionId: `sess_${request.botRequestId}`,
      executionId: `exec_${request.botRequestId}`,
    },
    attempts: 1,
  }),
  cancel: async () => ({ kind: "accepted", value: { state: "cancelling" }, attempts: 1 }),
};

function completedCallback(botRequestId: string): string {
  return JSON.stringify({
    protocolVersion: PROTOCOL_VERSION,
    type: "completed",
    botRequestId,
    agentSessionId: `sess_${botRequestId}`,
    executionId: `exec_${botRequestId}`,
    sequence: 1,
    sentAt: new Date().toISOString(),
    text: "Done: the build is green again.",
  });
}

const sample = SAMPLE_MENTIONS.find((m) => m.name === "typical");
if (!sample) throw new Error("no typical sample");
const workspace = createFixtureSlackEmulator();
await workspace.start();

const rows: Record<string, string | number>[] = [];
const figures: Record<string, unknown>[] = [];
for (const backend of backends) {
  const { state, close } = await backend.open();
  const counter = countStateCalls(state);
  const bot = createSlackTestBot({
    apiUrl: workspace.apiUrl,
    state: counter.state,
    concurrency: "concurrent",
  });
  await bot.chat.initialize();
  const flows = createBatonFlows({
    state: counter.state,
    chat: bot.chat,
    agent: instantAgent,
    verifier: createCallbackVerifier({ serverSecrets: [SERVER_SECRET], now: Date.now }),
    callbackBaseUrl: "http://127.0.0.1:3000/api/internal/bot-session-callback",
    reporter: { report: (error) => console.error(error) },
    logger: new ConsoleLogger("error"),
  });

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
    const { envelope } = workspace.composeMention({
      channel: FIXTURE_WORKSPACE.channel.id,
      user: FIXTURE_WORKSPACE.human.id,
      ...sample.input,
    });
    const { message, thread } = parseMentionEnvelope(bot, envelope);
    let id = "";
    await measure("mention", async () => {
      const outcome = await flows.onMention(thread, message);
      if (outcome.kind !== "dispatched") throw new Error(`mention: ${outcome.kind}`);
      id = outcome.botRequestId;
    });
    const body = completedCallback(id);
    const deliver = (timestampShift: number) =>
      flows.handleCallback({
        botRequestId: id,
        headers: {
          "content-type": "application/json",
          ...createCallbackSigner({
            signingSecret: deriveRequestSecret(SERVER_SECRET, id),
            now: () => Date.now() - timestampShift,
          }).sign(`msg_${id}`, body),
        },
        body,
      });
    await measure("resume", async () => {
      const answer = await deliver(0);
      // The thread's hand-off runs after the answer; it is part of what a resume costs.
      await answer.handOff?.();
      if (answer.body.outcome !== "posted")
        throw new Error(`resume of ${id}: ${JSON.stringify(answer.body)}`);
    });
    await measure("duplicate callback", async () => {
      const answer = await deliver(5_000);
      if (answer.body.outcome !== "duplicate")
        throw new Error(`duplicate of ${id}: ${JSON.stringify(answer.body)}`);
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

await workspace.stop();
printTable(rows);
console.log(`\nresults: ${writeResults("store-round-trips", figures)}`);
process.exit(0);
