import type { Lock, StateAdapter } from "chat";
import { StateValueCorruptError } from "../errors";
import { decodeStored, decodeStoredList } from "./decode-stored";
import {
  corruptListRead,
  readStored,
  readStoredList,
  type StoredListRead,
  type StoredRead,
  UNDECODABLE,
} from "./stored-value";

/**
 * One StateAdapter operation inside a batch. A refused `setIfNotExists` or `acquireLock` marked
 * `stopIfRefused` skips everything after it (a replay guard or a claim that others must not pass).
 * `releaseLock` names its lock, or the index of an `acquireLock` earlier in the same batch.
 */
export type BatchOp =
  | { kind: "get"; key: string }
  /** `getList`: a list's items, oldest first (a follow-up queue). */
  | { kind: "getList"; key: string }
  | { kind: "set"; key: string; value: unknown; ttlMs?: number }
  | { kind: "setIfNotExists"; key: string; value: unknown; ttlMs?: number; stopIfRefused?: true }
  | { kind: "delete"; key: string }
  /** `appendToList` with its options, as the StateAdapter call (a follow-up queue, a deadline bucket). */
  | { kind: "appendToList"; key: string; value: unknown; maxLength?: number; ttlMs?: number }
  /** The Chat SDK's thread subscription (`StateAdapter.subscribe`), without the adapter's hook. */
  | { kind: "subscribe"; threadId: string }
  | { kind: "acquireLock"; lockId: string; ttlMs: number; stopIfRefused?: true }
  | { kind: "releaseLock"; lock: Lock }
  | { kind: "releaseLock"; acquiredAt: number };

/** What each op gave, in order. `skipped`: an earlier `stopIfRefused` op was refused. */
export type BatchResult =
  | { kind: "read"; read: StoredRead<unknown> }
  | { kind: "list"; read: StoredListRead<unknown> }
  | { kind: "stored"; stored: boolean }
  | { kind: "lock"; lock: Lock | null }
  | { kind: "done" }
  | { kind: "skipped" };

/**
 * The optional capability a backend offers to run a batch in one round trip (a Redis script, one
 * SQLite transaction). Without it, `runStateBatch` runs the same ops one call at a time on the
 * plain StateAdapter, so every Chat SDK backend still works. A batch is atomic where it is
 * offered, but no caller relies on that: each op is atomic on its own, as on the generic path.
 */
export interface StateBatchCapability {
  runBatch(ops: readonly BatchOp[]): Promise<BatchResult[]>;
}

export function batchCapability(state: StateAdapter): StateBatchCapability | undefined {
  const candidate = (state as Partial<StateBatchCapability>).runBatch;
  return typeof candidate === "function"
    ? (state as StateAdapter & StateBatchCapability)
    : undefined;
}

/** Runs the ops in one round trip where the backend can, else one StateAdapter call each. */
export function runStateBatch(
  state: StateAdapter,
  ops: readonly BatchOp[],
): Promise<BatchResult[]> {
  const batch = batchCapability(state);
  return batch ? batch.runBatch(ops) : runSequentially(state, ops);
}

async function runSequentially(state: StateAdapter, ops: readonly BatchOp[]) {
  const results: BatchResult[] = [];
  let stopped = false;
  for (let index = 0; index < ops.length; ) {
    if (stopped) {
      results.push({ kind: "skipped" });
      index++;
      continue;
    }
    // Reads next to each other go out together, and so do deletes and releases of known locks:
    // one round trip each, as the stores did before batches.
    const group = concurrencyGroup(ops[index]);
    let end = index + 1;
    while (group && concurrencyGroup(ops[end]) === group) end++;
    const together = ops.slice(index, end);
    let done: BatchResult[];
    try {
      done = await Promise.all(together.map((op) => runOne(state, op, results)));
    } catch (error) {
      await releaseAcquired(state, results);
      throw error;
    }
    results.push(...done);
    stopped = together.some((op, i) => refused(op, done[i] ?? { kind: "skipped" }));
    index = end;
  }
  return results;
}

/** Ops that may go out at once on the generic path: neither depends on the other's answer. */
function concurrencyGroup(op: BatchOp | undefined): "read" | "drop" | undefined {
  if (op?.kind === "get" || op?.kind === "getList") return "read";
  if (op?.kind === "delete" || (op?.kind === "releaseLock" && "lock" in op)) return "drop";
  return undefined;
}

/**
 * A batch that fails half-way gives back the locks it took, as one that fails on a backend with
 * batches never took them: the caller never saw them, so nobody else would. Best effort: a lock
 * that cannot be released now (the store is down) still expires with its TTL.
 */
async function releaseAcquired(state: StateAdapter, results: readonly BatchResult[]) {
  for (const result of results) {
    if (result.kind === "lock" && result.lock) {
      await state.releaseLock(result.lock).catch(() => undefined);
    }
  }
}

async function runOne(
  state: StateAdapter,
  op: BatchOp,
  earlier: readonly BatchResult[],
): Promise<BatchResult> {
  switch (op.kind) {
    case "get":
      return { kind: "read", read: await readStored(state, op.key) };
    case "getList":
      return { kind: "list", read: await readStoredList(state, op.key) };
    case "set":
      await state.set(op.key, op.value, op.ttlMs);
      return { kind: "done" };
    case "setIfNotExists":
      return { kind: "stored", stored: await state.setIfNotExists(op.key, op.value, op.ttlMs) };
    case "delete":
      await state.delete(op.key);
      return { kind: "done" };
    case "appendToList":
      await state.appendToList(op.key, op.value, {
        ...(op.maxLength !== undefined ? { maxLength: op.maxLength } : {}),
        ...(op.ttlMs !== undefined ? { ttlMs: op.ttlMs } : {}),
      });
      return { kind: "done" };
    case "subscribe":
      await state.subscribe(op.threadId);
      return { kind: "done" };
    case "acquireLock":
      return { kind: "lock", lock: await state.acquireLock(op.lockId, op.ttlMs) };
    case "releaseLock": {
      const lock = releasedLock(op, earlier);
      if (lock) await state.releaseLock(lock);
      return { kind: "done" };
    }
  }
}

/** The lock a `releaseLock` op gives back (none when its `acquireLock` was refused or skipped). */
export function releasedLock(
  op: Extract<BatchOp, { kind: "releaseLock" }>,
  earlier: readonly BatchResult[],
): Lock | null {
  if ("lock" in op) return op.lock;
  const acquired = earlier[op.acquiredAt];
  return acquired?.kind === "lock" ? acquired.lock : null;
}

/** Whether this op stops the rest of its batch. */
export function refused(op: BatchOp, result: BatchResult): boolean {
  if (op.kind === "setIfNotExists")
    return op.stopIfRefused === true && result.kind === "stored" && !result.stored;
  if (op.kind === "acquireLock")
    return op.stopIfRefused === true && result.kind === "lock" && !result.lock;
  return false;
}

/** A backend's raw stored text as a read: absent, decoded, or corrupt (never thrown). */
export function storedReadFromText(
  text: string | null | undefined,
  key: string,
): StoredRead<unknown> {
  if (text === null || text === undefined) return { kind: "missing" };
  try {
    const value = decodeStored<unknown>(text, key, "batch");
    return value === null ? { kind: "missing" } : { kind: "found", value };
  } catch (error) {
    if (error instanceof StateValueCorruptError) return { kind: "corrupt", reason: UNDECODABLE };
    throw error;
  }
}

/** A backend's raw list items as a read: undecodable items left out and flagged, as `getList`. */
export function storedListFromTexts(
  texts: readonly string[],
  key: string,
): StoredListRead<unknown> {
  try {
    return { items: decodeStoredList<unknown>(texts, key), corrupt: false };
  } catch (error) {
    if (error instanceof StateValueCorruptError) return corruptListRead(error);
    throw error;
  }
}

/** Typed accessors: a batch's results are positional, each op's kind fixes its result's kind. */
export function readAt(results: readonly BatchResult[], index: number): StoredRead<unknown> {
  const result = results[index];
  return result?.kind === "read" ? result.read : { kind: "missing" };
}

/** A read of a stored id (a string value): anything else stored there is corrupt. */
export function idAt(results: readonly BatchResult[], index: number): StoredRead<string> {
  const read = readAt(results, index);
  if (read.kind === "found" && typeof read.value !== "string") {
    return { kind: "corrupt", reason: `not-a-string:${typeof read.value}` };
  }
  return read as StoredRead<string>;
}

/** The list a `getList` read; undefined when the op did not run (its batch was stopped). */
export function listAt(
  results: readonly BatchResult[],
  index: number,
): StoredListRead<unknown> | undefined {
  const result = results[index];
  return result?.kind === "list" ? result.read : undefined;
}

export function lockAt(results: readonly BatchResult[], index: number): Lock | null {
  const result = results[index];
  return result?.kind === "lock" ? result.lock : null;
}

export function storedAt(results: readonly BatchResult[], index: number): boolean {
  const result = results[index];
  return result?.kind === "stored" && result.stored;
}
