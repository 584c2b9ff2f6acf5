/**
 * The store a network hop away: redis-server behind a loopback proxy that adds `delayMs` each way
 * (default 1 ms, so 2 ms per round trip, a managed Redis in a nearby zone). Baton's real flows,
 * generic design (one StateAdapter call per operation) against batched (one script per step), in
 * the same run: webhook -> Baton's handler (the Chat SDK's part), mention -> dispatch sent (the
 * agent an in-process stand-in that accepts at once) and -> handler done,
 * and callback -> reply posted (the signed terminal callback up to its answer, the reply posted
 * to the loopback Slack emulator), p50/p99 over `requests` requests each.
 *
 *   pnpm --filter @baton/bench remote-store-latency [requests=200] [delayMs=1]
 */
import { createRedisClient, createRedisState } from "@baton/state-redis";
import { startRedisServer } from "@baton/testing";
import { ConsoleLogger } from "chat";
import { printTable, writeResults } from "./results";
import { startDelayProxy } from "./store-trips/delay-proxy";
import { runPaths } from "./store-trips/paths";
import { countRedisCommands, createTripCounter } from "./store-trips/round-trips";

const REQUESTS = Number(process.argv[2] ?? 200);
const DELAY_MS = Number(process.argv[3] ?? 1);

const server = await startRedisServer();
const proxy = await startDelayProxy({ host: server.host, port: server.port }, DELAY_MS);
const rows: Record<string, string | number>[] = [];
const figures: Record<string, unknown>[] = [];
for (const design of ["generic", "batched"] as const) {
  const client = createRedisClient({ url: proxy.url });
  const wire = createTripCounter();
  countRedisCommands(client, wire);
  const state = createRedisState({ client, logger: new ConsoleLogger("error") });
  await state.connect();
  const paths = await runPaths(state, { requests: REQUESTS, batches: design === "batched", wire });
  await state.disconnect();
  client.disconnect();
  for (const path of paths) {
    if (path.path === "hand-on") continue;
    if (path.toDispatch) {
      rows.push({
        design,
        path: "mention -> dispatch sent",
        "wire trips": path.toDispatch.wireTrips ?? "-",
        commands: "-",
        "p50 ms": path.toDispatch.p50Ms.toFixed(1),
        "p99 ms": path.toDispatch.p99Ms.toFixed(1),
      });
    }
    const label =
      path.path === "mention"
        ? "mention -> handler done (running recorded)"
        : path.path === "resume"
          ? "callback -> reply posted"
          : path.path === "duplicate callback"
            ? "duplicate callback -> answer"
            : "webhook -> Baton's handler (Chat SDK)";
    rows.push({
      design,
      path: label,
      "wire trips": path.wire?.trips ?? "-",
      commands: path.wire?.commands ?? "-",
      "p50 ms": path.p50Ms.toFixed(1),
      "p99 ms": path.p99Ms.toFixed(1),
    });
    figures.push({ design, label, delayMsEachWay: DELAY_MS, ...path });
  }
}
await proxy.stop();
await server.stop();
printTable(rows);
console.log(`\nresults: ${writeResults("remote-store-latency", figures)}`);
process.exit(0);
