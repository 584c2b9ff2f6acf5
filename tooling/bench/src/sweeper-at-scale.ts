/**
 * The deadline sweeper at scale: `pending` requests waiting for their agent, deadlines spread over
 * the next two hours (the default deadline), and `expired` of them past it (spread over the last
 * ten minutes, the cursor fifteen minutes back). Seeded through Baton's own stores (records and
 * deadline index; no message state, so each expired request gets the deadline notice in its
 * thread, posted to the loopback Slack emulator, and is finalised). One sweep is measured: wall
 * time, StateAdapter calls, requests examined. Scenarios: 10,000 pending with 100 expired (1 %),
 * 1,000,000 with the same 100 expired (does the pending count cost anything?), and 1,000,000
 * with 10,000 expired (1 %).
 *
 *   pnpm --filter @baton/bench sweeper-at-scale [pending=1000000] [expired=10000] [backends=redis,sqlite]
 */
import {
  createRequestStores,
  deadlineBucketStart,
  REQUEST_DEADLINE_MS,
  SWEEPER_CURSOR_KEY,
} from "@baton/core";
import { createFixtureSlackEmulator, FIXTURE_WORKSPACE } from "@baton/testing";
import type { StateAdapter } from "chat";
import { createCountedFlows, type OpenedBackend, openBenchBackend } from "./bench-setup";
import { printTable, writeResults } from "./results";
import { createTripCounter } from "./store-trips/round-trips";

const PENDING = Number(process.argv[2] ?? 1_000_000);
const EXPIRED = Number(process.argv[3] ?? 10_000);
const BACKENDS = (process.argv[4] ?? "redis,sqlite").split(",");
const SMALL = { pending: 10_000, expired: 100 };
/** Seeding writes in flight at once (the Redis client pipelines them). */
const SEED_CONCURRENCY = 512;
const MINUTE_MS = 60_000;

let seq = 0;
/** Files `count` requests with deadlines from `deadline(i)`, through the request stores. */
async function seed(
  state: StateAdapter,
  count: number,
  deadline: (i: number) => number,
  threadTs: (n: number) => string = (n) => `${1_700_000_000 + n}.000100`,
) {
  const stores = createRequestStores({ state });
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < count; i = next++) {
      const n = seq++;
      const id = `sweep-${n.toString(36)}-${i}`;
      const deadlineAt = Math.round(deadline(i));
      const ts = threadTs(n);
      await stores.requests.create(
        {
          id,
          platform: "slack",
          threadId: `slack:${FIXTURE_WORKSPACE.channel.id}:${ts}`,
          channelId: `slack:${FIXTURE_WORKSPACE.channel.id}`,
          messageId: ts,
          author: { userId: FIXTURE_WORKSPACE.human.id, userName: "dana" },
          deadlineAt,
        },
        "dispatching",
      );
      await stores.deadlines.add(id, deadlineAt);
    }
  };
  await Promise.all(Array.from({ length: SEED_CONCURRENCY }, worker));
}

const workspace = createFixtureSlackEmulator();
await workspace.start();
const rows: Record<string, string | number>[] = [];
const figures: Record<string, unknown>[] = [];
for (const backend of BACKENDS) {
  const scenarios = [
    { ...SMALL, fresh: true },
    { pending: PENDING, expired: SMALL.expired, fresh: true },
    { pending: PENDING, expired: EXPIRED, fresh: false },
  ];
  let opened: OpenedBackend | undefined;
  let waiting = 0;
  // The sweep's clock, fixed per backend and ahead of the seeding (which takes minutes at this
  // scale): the bucket it sweeps holds waiting requests filed for later in it, as in production.
  let sweepAt = 0;
  for (const scenario of scenarios) {
    if (scenario.fresh) {
      await opened?.close();
      opened = await openBenchBackend(backend);
      waiting = 0;
      sweepAt = deadlineBucketStart(Date.now() + 20 * MINUTE_MS) + 30_000;
    }
    if (!opened) throw new Error("no backend");
    const at = sweepAt;
    const seedStarted = performance.now();
    // The waiting ones: the bench adds up to `pending - expired` of them (kept between scenarios).
    const more = scenario.pending - scenario.expired - waiting;
    await seed(opened.state, more, () => at + 1_000 + Math.random() * REQUEST_DEADLINE_MS);
    waiting += more;
    // The expired ones are real threads in the emulated workspace: their notice is posted there.
    const thread = () =>
      workspace.composeMessage({
        channel: FIXTURE_WORKSPACE.channel.id,
        user: FIXTURE_WORKSPACE.human.id,
        text: "résumé of the `--frozen-lockfile` failure, please",
      }).ts;
    await seed(
      opened.state,
      scenario.expired,
      () => at - 1_000 - Math.random() * 10 * MINUTE_MS,
      thread,
    );
    await opened.state.set(SWEEPER_CURSOR_KEY, deadlineBucketStart(at - 15 * MINUTE_MS));
    const seedMs = performance.now() - seedStarted;

    const counter = createTripCounter();
    const flows = await createCountedFlows({
      inner: opened.state,
      counter,
      apiUrl: workspace.apiUrl,
      bench: "sweeper",
      now: at,
    });
    counter.reset();
    const started = performance.now();
    const result = await flows.sweep();
    const ms = performance.now() - started;
    if (result.kind !== "swept") throw new Error(`sweep: ${result.kind}`);
    const row = {
      backend,
      pending: scenario.pending,
      expired: scenario.expired,
      examined: result.examined,
      finalised: result.expired,
      "store calls": [...counter.calls.values()].reduce((a, b) => a + b, 0),
      "sweep ms": Math.round(ms),
      "ms per expired": (ms / Math.max(1, result.expired)).toFixed(2),
      "seed s": (seedMs / 1000).toFixed(1),
    };
    rows.push(row);
    figures.push({ ...row, result });
    console.log(JSON.stringify(row));
  }
  await opened?.close();
}
await workspace.stop();
printTable(rows);
console.log(`\nresults: ${writeResults("sweeper-at-scale", figures)}`);
process.exit(0);
