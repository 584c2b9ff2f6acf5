import { createRedisClient, createRedisState } from "@baton/state-redis";
import { startRedisServer } from "@baton/testing";
import { ConsoleLogger, type StateAdapter } from "chat";
import { openBenchBackend } from "./bench-setup";
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
    // The batch is off by default on SQLite (see its option); on here, to measure it.
    open: () => openBenchBackend("sqlite", { batches: true }),
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
