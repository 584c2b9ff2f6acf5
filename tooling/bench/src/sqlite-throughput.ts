/**
 * Single-process throughput of the SQLite state adapter per operation and `synchronous` mode.
 * Prints a table and writes the figures as JSON. Not a test: it asserts nothing.
 *
 *   pnpm --filter @baton/bench sqlite-throughput [ops=3000]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSqliteState, type SqliteStateAdapter } from "@baton/state-sqlite";
import type { QueueEntry } from "chat";
import { ConsoleLogger } from "chat";
import { printTable, writeResults } from "./results";

const OPS = Number(process.argv[2] ?? 3_000);
// About the size of a slim serialized thread + message (see FIELD-NOTES).
const RECORD = { thread: "t".repeat(3_000), message: "m".repeat(3_400) };
const HOUR = 3_600_000;

type Case = [name: string, run: (state: SqliteStateAdapter, i: number) => Promise<unknown>];

const entry = (i: number): QueueEntry => ({
  enqueuedAt: Date.now(),
  expiresAt: Date.now() + HOUR,
  message: { id: `m${i}` } as never,
});

const cases: Case[] = [
  ["set 6.4 KB + TTL", (s, i) => s.set(`rec:${i}`, RECORD, HOUR)],
  ["get 6.4 KB", (s, i) => s.get(`rec:${i}`)],
  ["setIfNotExists (new key)", (s, i) => s.setIfNotExists(`nx:${i}`, 1, HOUR)],
  [
    "acquireLock + releaseLock",
    async (s, i) => {
      const lock = await s.acquireLock(`lock:${i % 10}`, 30_000);
      if (lock) await s.releaseLock(lock);
    },
  ],
  [
    "appendToList (max 50, TTL)",
    (s, i) => s.appendToList(`list:${i % 10}`, { i }, { maxLength: 50, ttlMs: HOUR }),
  ],
  ["enqueue (unbounded)", (s, i) => s.enqueue(`q:${i % 10}`, entry(i), 0)],
  ["dequeue (non-empty)", (s, i) => s.dequeue(`q:${i % 10}`)],
];

const rows: { mode: string; operation: string; opsPerSecond: number }[] = [];
for (const synchronous of ["FULL", "NORMAL"] as const) {
  const dir = mkdtempSync(join(tmpdir(), "baton-sqlite-bench-"));
  const state = createSqliteState({
    path: join(dir, "bench.db"),
    synchronous,
    logger: new ConsoleLogger("silent"),
  });
  await state.connect();
  for (const [operation, run] of cases) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < OPS; i++) await run(state, i);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    rows.push({ mode: synchronous, operation, opsPerSecond: Math.round(OPS / seconds) });
  }
  await state.disconnect();
  rmSync(dir, { recursive: true, force: true });
}

console.log(`ops per case: ${OPS}`);
printTable(
  cases.map(([operation]) => {
    const rate = (mode: string) =>
      rows.find((r) => r.mode === mode && r.operation === operation)?.opsPerSecond ?? 0;
    return { operation, "FULL ops/s": rate("FULL"), "NORMAL ops/s": rate("NORMAL") };
  }),
);
console.log(`\nresults: ${writeResults("sqlite-throughput", { opsPerCase: OPS, rows })}`);
