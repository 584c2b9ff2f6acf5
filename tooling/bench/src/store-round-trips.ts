/**
 * Store round trips per path, on the real backends, before and after in one run: `generic` is
 * Baton's flows on the plain StateAdapter (one call per operation: the design before the batch
 * port), `batched` the same flows with the backend's one-round-trip batch (a Redis script, one
 * SQLite transaction). Per path: sequential round trips and calls at the StateAdapter, and on
 * Redis the commands the client sent and their sequential round trips on the wire.
 * Paths: the Chat SDK's part of a mention (the signed webhook through `chat` up to Baton's handler),
 * a mention (Baton's handler to its end; "to dispatch": up to the dispatch sent, the agent an
 * in-process stand-in that accepts at once), a resume (the signed terminal callback up to its answer: replay guard, claim, reads, reply
 * record, post, finalise, cleanup), the hand-on after the answer (the thread's next follow-up, if
 * any), and a duplicate delivery of the same callback.
 *
 *   pnpm --filter @baton/bench store-round-trips [requests=200]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { guardStateAdapter } from "@baton/core";
import { createRedisClient, createRedisState } from "@baton/state-redis";
import { createSqliteState } from "@baton/state-sqlite";
import { startRedisServer } from "@baton/testing";
import { ConsoleLogger, type StateAdapter } from "chat";
import { printTable, writeResults } from "./results";
import { type PathFigures, runPaths } from "./store-trips/paths";
import { countRedisCommands, createTripCounter, type TripCounter } from "./store-trips/round-trips";

const REQUESTS = Number(process.argv[2] ?? 200);

interface Opened {
  state: StateAdapter;
  /** Counts the client's commands (Redis only). */
  wire?: TripCounter;
  close(): Promise<void>;
}

const backends: { name: string; open(): Promise<Opened> }[] = [
  {
    name: "sqlite (FULL)",
    async open() {
      const dir = mkdtempSync(join(tmpdir(), "baton-bench-"));
      // The batch is off by default on SQLite (see its option); on here, to measure it.
      const state = guardStateAdapter(
        createSqliteState({ path: join(dir, "s.sqlite"), batches: true }),
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
    },
  },
  {
    name: "redis",
    async open() {
      const server = await startRedisServer();
      const client = createRedisClient({ url: server.url });
      const wire = createTripCounter();
      countRedisCommands(client, wire);
      const state = createRedisState({ client, logger: new ConsoleLogger("error") });
      await state.connect();
      return {
        state,
        wire,
        close: async () => {
          await state.disconnect();
          client.disconnect();
          await server.stop();
        },
      };
    },
  },
];

const rows: Record<string, string | number>[] = [];
const figures: (PathFigures & { backend: string; design: string })[] = [];
for (const backend of backends) {
  for (const design of ["generic", "batched"] as const) {
    const opened = await backend.open();
    const results = await runPaths(opened.state, {
      requests: REQUESTS,
      batches: design === "batched",
      ...(opened.wire ? { wire: opened.wire } : {}),
    });
    for (const path of results) {
      figures.push({ backend: backend.name, design, ...path });
      rows.push({
        backend: backend.name,
        design,
        path: path.path,
        "round trips": path.trips,
        "to dispatch": path.toDispatch?.trips ?? "-",
        "store calls": path.calls,
        "redis commands": path.wire?.commands ?? "-",
        "wire trips": path.wire?.trips ?? "-",
        breakdown: path.breakdown,
        "p50 ms": path.p50Ms.toFixed(2),
        "p99 ms": path.p99Ms.toFixed(2),
      });
    }
    await opened.close();
  }
}

printTable(rows);
console.log(`\nresults: ${writeResults("store-round-trips", figures)}`);
process.exit(0);
