import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createCallbackVerifier } from "@baton/agent-protocol";
import {
  type AgentClient,
  type BatonFlows,
  createBatonFlows,
  guardStateAdapter,
} from "@baton/core";
import { createRedisState } from "@baton/state-redis";
import { createSqliteState } from "@baton/state-sqlite";
import { createSlackTestBot, startRedisServer } from "@baton/testing";
import { ConsoleLogger, type StateAdapter } from "chat";
import { countedState, type TripCounter } from "./store-trips/round-trips";

const SERVER_SECRET = "bench-server-secret-0123456789abcdef0123456789";

export interface OpenedBackend {
  state: StateAdapter;
  close(): Promise<void>;
}

/**
 * A throwaway backend for a bench: a redis-server of its own, or a SQLite file in a temp dir
 * (`synchronous: NORMAL`: a commit survives a process crash, not a power cut; the seed is throwaway).
 */
export async function openBenchBackend(
  name: string,
  sqlite: { synchronous?: "NORMAL" | "FULL"; batches?: boolean } = { synchronous: "NORMAL" },
): Promise<OpenedBackend> {
  if (name === "redis") {
    const server = await startRedisServer();
    const state = createRedisState({ url: server.url, logger: new ConsoleLogger("error") });
    await state.connect();
    return {
      state,
      close: async () => {
        await state.disconnect();
        await server.stop();
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), "baton-bench-"));
  const state = guardStateAdapter(
    createSqliteState({ path: join(dir, "s.sqlite"), ...sqlite }),
    "sqlite",
  );
  await state.connect();
  return {
    state,
    close: async () => {
      await state.disconnect();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** An agent for benches that must never dispatch (a dispatch would be a bug in the bench). */
export function nonDispatchingAgent(bench: string): AgentClient {
  return {
    dispatch: async () => {
      throw new Error(`the ${bench} bench dispatches nothing`);
    },
    cancel: async () => ({ kind: "accepted", value: { state: "cancelling" }, attempts: 1 }),
  };
}

/**
 * Baton's flows over `inner`, every store call counted by `counter`, posting to the Slack
 * emulator at `apiUrl`, on a fixed clock.
 */
export async function createCountedFlows(options: {
  inner: StateAdapter;
  counter: TripCounter;
  apiUrl: string;
  bench: string;
  now: number;
  deadlineMs?: number;
}): Promise<BatonFlows> {
  const state = countedState(options.inner, options.counter, { batches: true });
  const bot = createSlackTestBot({ apiUrl: options.apiUrl, state, concurrency: "concurrent" });
  await bot.chat.initialize();
  return createBatonFlows({
    state,
    chat: bot.chat,
    agent: nonDispatchingAgent(options.bench),
    verifier: createCallbackVerifier({ serverSecrets: [SERVER_SECRET], now: Date.now }),
    callbackBaseUrl: "http://127.0.0.1:3000/api/internal/bot-session-callback",
    reporter: { report: () => undefined },
    logger: new ConsoleLogger("error"),
    now: () => options.now,
    ...(options.deadlineMs ? { deadlineMs: options.deadlineMs } : {}),
  });
}
