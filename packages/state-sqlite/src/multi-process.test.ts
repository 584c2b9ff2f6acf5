import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createSqliteState } from "./sqlite-state-adapter";
import { silentLogger } from "./test-support/silent-logger";
import { useTempDir } from "./test-support/temp-db";
import { runTogether } from "./test-support/workers";

const tempDir = useTempDir();
const PROCESSES = 4;

async function openState(path: string) {
  const state = createSqliteState({ path, logger: silentLogger });
  await state.connect();
  return state;
}

describe("several processes on one file", () => {
  it("lets exactly one process win each setIfNotExists and acquireLock race", async () => {
    // The file does not exist yet: the racers also race to create the schema.
    const path = join(tempDir(), "race", "state.db");
    const keys = 100;
    const results = (await runTogether(
      Array.from({ length: PROCESSES }, (_, worker) => ({ kind: "race", path, worker, keys })),
    )) as { wonKeys: number[]; wonLocks: number[] }[];

    // Sanity: the racers really overlapped, so wins are spread over several processes.
    expect(results.filter((r) => r.wonKeys.length > 0).length).toBeGreaterThan(1);
    const state = await openState(path);
    for (let key = 0; key < keys; key++) {
      const keyWinners = results.flatMap((r, worker) => (r.wonKeys.includes(key) ? [worker] : []));
      const lockWinners = results.filter((r) => r.wonLocks.includes(key));
      expect(keyWinners).toHaveLength(1);
      expect(lockWinners).toHaveLength(1);
      expect(await state.get(`race:${key}`)).toBe(keyWinners[0]);
    }
    await state.disconnect();
  });

  it("loses nothing when processes append and enqueue concurrently, and drains each entry once", async () => {
    const path = join(tempDir(), "state.db");
    const items = 150;
    await runTogether(
      Array.from({ length: PROCESSES }, (_, worker) => ({ kind: "append", path, worker, items })),
    );

    const state = await openState(path);
    const list = await state.getList<{ worker: number; i: number }>("shared");
    expect(list).toHaveLength(PROCESSES * items);
    for (let worker = 0; worker < PROCESSES; worker++) {
      // Each writer's own items stay in the order it appended them.
      const own = list.filter((item) => item.worker === worker).map((item) => item.i);
      expect(own).toEqual(Array.from({ length: items }, (_, i) => i));
    }
    expect(await state.queueDepth("shared")).toBe(PROCESSES * items);
    await state.disconnect();

    const drained = (await runTogether(
      Array.from({ length: PROCESSES }, () => ({ kind: "drain", path })),
    )) as string[][];
    const all = drained.flat();
    expect(all).toHaveLength(PROCESSES * items);
    expect(new Set(all).size).toBe(PROCESSES * items);
  });

  it("gives mutual exclusion: a read-modify-write under the lock never loses an update", async () => {
    const path = join(tempDir(), "state.db");
    const increments = 50;
    const results = (await runTogether(
      Array.from({ length: PROCESSES }, () => ({ kind: "locked-increment", path, increments })),
    )) as { contended: number }[];

    const state = await openState(path);
    expect(await state.get("counter")).toBe(PROCESSES * increments);
    await state.disconnect();
    // The lock was really fought over, otherwise this test proves nothing.
    expect(results.reduce((sum, r) => sum + r.contended, 0)).toBeGreaterThan(0);
  });
});
