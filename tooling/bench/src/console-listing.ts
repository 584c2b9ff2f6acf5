/**
 * What one operator-console listing (and one `baton_requests` gauge refresh, which reads the same
 * way) costs the store: `listRequests` reads one deadline bucket list per minute from the
 * lookback (6 h) to the furthest entry ahead, then each request found. Seeded through Baton's
 * own stores: `requests` received over the last 6 h, each filed at its dispatch check and at its
 * deadline. Measured with the default 2 h deadline window (the index read 2 h ahead) and with a
 * 12 h one (ahead as far as the longest deadline, which is what every listing read before the
 * horizon followed the window): store calls, list reads, sequential round trips, wall time.
 *
 *   pnpm --filter @baton/bench console-listing [requests=1000] [repeats=5] [backends=redis,sqlite]
 */
import {
  createRequestStores,
  listRequests,
  MAX_REQUEST_DEADLINE_MS,
  REQUEST_DEADLINE_MS,
} from "@baton/core";
import { createFixtureSlackEmulator, FIXTURE_WORKSPACE } from "@baton/testing";
import type { StateAdapter } from "chat";
import { createCountedFlows, openBenchBackend } from "./bench-setup";
import { printTable, writeResults } from "./results";
import { createTripCounter } from "./store-trips/round-trips";

const REQUESTS = Number(process.argv[2] ?? 1_000);
const REPEATS = Number(process.argv[3] ?? 5);
const BACKENDS = (process.argv[4] ?? "redis,sqlite").split(",");
const HOUR_MS = 3_600_000;
const SEED_CONCURRENCY = 64;

/** Requests received over the last 6 h, not yet answered, filed at their dispatch check and deadline. */
async function seed(state: StateAdapter, now: number): Promise<void> {
  const stores = createRequestStores({ state });
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < REQUESTS; i = next++) {
      const createdAt = now - Math.round((i / REQUESTS) * 6 * HOUR_MS);
      const ts = `${Math.floor(createdAt / 1000)}.${String(i).padStart(6, "0")}`;
      const id = `listing-${i.toString(36)}`;
      const deadlineAt = createdAt + REQUEST_DEADLINE_MS;
      await stores.requests.create(
        {
          id,
          platform: "slack",
          threadId: `slack:${FIXTURE_WORKSPACE.channel.id}:${ts}`,
          channelId: `slack:${FIXTURE_WORKSPACE.channel.id}`,
          messageId: ts,
          author: { userId: FIXTURE_WORKSPACE.human.id, userName: "zoë" },
          deadlineAt,
        },
        "dispatching",
      );
      await stores.deadlines.add(id, createdAt + 15_000);
      await stores.deadlines.add(id, deadlineAt);
    }
  };
  await Promise.all(Array.from({ length: SEED_CONCURRENCY }, worker));
}

const workspace = createFixtureSlackEmulator();
await workspace.start();
const rows: Record<string, string | number>[] = [];
for (const backend of BACKENDS) {
  const opened = await openBenchBackend(backend);
  const now = Date.now();
  await seed(opened.state, now);
  for (const deadlineMs of [REQUEST_DEADLINE_MS, MAX_REQUEST_DEADLINE_MS]) {
    const counter = createTripCounter();
    const flows = await createCountedFlows({
      inner: opened.state,
      counter,
      apiUrl: workspace.apiUrl,
      bench: "console-listing",
      now,
      deadlineMs,
    });
    const times: number[] = [];
    let listed = 0;
    for (let r = 0; r < REPEATS; r++) {
      counter.reset();
      const started = performance.now();
      listed = (await listRequests(flows.deps)).length;
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    const calls = [...counter.calls.values()].reduce((a, b) => a + b, 0);
    const row = {
      backend,
      "deadline window": `${deadlineMs / HOUR_MS} h`,
      listed,
      "store calls": calls,
      "list reads": counter.calls.get("getList") ?? 0,
      "round trips": counter.trips,
      "median ms": Math.round(times[Math.floor(times.length / 2)] ?? 0),
    };
    rows.push(row);
    console.log(JSON.stringify(row));
  }
  await opened.close();
}
await workspace.stop();
printTable(rows);
console.log(`\nresults: ${writeResults("console-listing", rows)}`);
process.exit(0);
