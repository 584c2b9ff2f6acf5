/**
 * A child process for multi-process tests: `node --import tsx state-worker.ts '<json task>'`.
 * It connects, prints "ready", waits for "go <startAt ms>" on stdin (so racers start together), runs the
 * task and prints "result <json>". The "ack-writes" task prints "ack <i>" after each write.
 */
import { createInterface } from "node:readline";
import type { QueueEntry } from "chat";
import { createSqliteState } from "../sqlite-state-adapter";
import { silentLogger } from "./silent-logger";

/** Durability tasks pick `synchronous`; atomicity tasks default to NORMAL (atomicity is the same). */
export type WorkerTask = { path: string; synchronous?: "FULL" | "NORMAL" } & (
  | { kind: "race"; worker: number; keys: number }
  | { kind: "append"; worker: number; items: number }
  | { kind: "drain" }
  | { kind: "locked-increment"; increments: number }
  | { kind: "write-all" }
  | { kind: "read-all" }
  | { kind: "ack-writes" }
);

const task = JSON.parse(process.argv[2] ?? "{}") as WorkerTask;
const state = createSqliteState({
  path: task.path,
  synchronous: task.synchronous ?? "NORMAL",
  busyTimeoutMs: 20_000,
  logger: silentLogger,
});
const HOUR = 3_600_000;
const RACE_SLOT_MS = 5;
let startAt = Date.now();

function spinUntil(time: number): void {
  while (Date.now() < time) {
    // Busy-wait: a timer would wake the racers milliseconds apart.
  }
}

function queueEntry(id: string): QueueEntry {
  const now = Date.now();
  return { enqueuedAt: now, expiresAt: now + HOUR, message: { id } as never };
}

async function run(): Promise<unknown> {
  switch (task.kind) {
    case "race": {
      const wonKeys: number[] = [];
      const wonLocks: number[] = [];
      for (let i = 0; i < task.keys; i++) {
        // Every racer attempts key i in the same wall-clock slot, so each key is a real race.
        spinUntil(startAt + i * RACE_SLOT_MS);
        if (await state.setIfNotExists(`race:${i}`, task.worker, HOUR)) wonKeys.push(i);
        if (await state.acquireLock(`race:${i}`, HOUR)) wonLocks.push(i);
      }
      return { wonKeys, wonLocks };
    }
    case "append": {
      for (let i = 0; i < task.items; i++) {
        await state.appendToList("shared", { worker: task.worker, i });
        await state.enqueue("shared", queueEntry(`${task.worker}:${i}`), 0);
      }
      return null;
    }
    case "drain": {
      const taken: string[] = [];
      for (
        let entry = await state.dequeue("shared");
        entry;
        entry = await state.dequeue("shared")
      ) {
        taken.push(entry.message.id);
      }
      return taken;
    }
    case "locked-increment": {
      let contended = 0;
      for (let done = 0; done < task.increments; ) {
        const lock = await state.acquireLock("counter", 10_000);
        if (!lock) {
          contended++;
          continue;
        }
        // Read-modify-write that is only safe under the lock; the pause widens the window.
        const value = (await state.get<number>("counter")) ?? 0;
        await new Promise((resolve) => setTimeout(resolve, 2));
        await state.set("counter", value + 1);
        await state.releaseLock(lock);
        done++;
      }
      return { contended };
    }
    case "write-all": {
      await state.set("cache", { nested: ["value"] }, HOUR);
      await state.set("forever", "kept");
      await state.appendToList("list", 1, { ttlMs: HOUR });
      await state.appendToList("list", 2);
      await state.enqueue("queue", queueEntry("q1"), 10);
      await state.subscribe("thread");
      return await state.acquireLock("lock", HOUR);
    }
    case "read-all": {
      return {
        cache: await state.get("cache"),
        forever: await state.get("forever"),
        list: await state.getList("list"),
        queueDepth: await state.queueDepth("queue"),
        dequeued: (await state.dequeue("queue"))?.message.id ?? null,
        subscribed: await state.isSubscribed("thread"),
        lockFree: (await state.acquireLock("lock", 1_000)) !== null,
      };
    }
    case "ack-writes": {
      // Runs until killed; a line is printed only after the write has committed.
      for (let i = 0; ; i++) {
        await state.set(`ack:${i}`, i);
        process.stdout.write(`ack ${i}\n`);
      }
    }
  }
}

await state.connect();
process.stdout.write("ready\n");
const input = createInterface({ input: process.stdin });
for await (const line of input) {
  const [command, at] = line.trim().split(" ");
  if (command === "go") {
    startAt = Number(at ?? Date.now());
    break;
  }
}
input.close();
const result = await run();
await state.disconnect();
process.stdout.write(`result ${JSON.stringify(result)}\n`);
