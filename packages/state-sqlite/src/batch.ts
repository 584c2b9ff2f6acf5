import { randomBytes } from "node:crypto";
import {
  type BatchOp,
  type BatchResult,
  batchOpRefused,
  batchReleasedLock,
  storedListFromTexts,
  storedReadFromText,
} from "@baton/core";
import type { Database } from "better-sqlite3";
import type { Lock } from "chat";
import type { Statements } from "./statements";
import { lengthCap, optionalTtl, requireTtl, serialize } from "./values";

/**
 * Core's optional batch (state-batch) on SQLite: every op of the batch in one BEGIN IMMEDIATE
 * transaction, with the same statements, values and TTL rules as the single calls, so a batch
 * stores exactly what those calls would. One transaction means one fsync under FULL, not one per op.
 */
export function createSqliteBatch(
  db: Database,
  statements: Statements,
  now: () => number,
): (ops: readonly BatchOp[]) => BatchResult[] {
  const run = (ops: readonly BatchOp[]): BatchResult[] => {
    const results: BatchResult[] = [];
    let stopped = false;
    for (const op of ops) {
      const result: BatchResult = stopped ? { kind: "skipped" } : runOne(op, results);
      results.push(result);
      if (!stopped && batchOpRefused(op, result)) stopped = true;
    }
    return results;
  };
  const runOne = (op: BatchOp, earlier: readonly BatchResult[]): BatchResult => {
    const at = now();
    switch (op.kind) {
      case "get":
        return {
          kind: "read",
          read: storedReadFromText(statements.cacheGet.get({ key: op.key, now: at }), op.key),
        };
      case "getList":
        return {
          kind: "list",
          read: storedListFromTexts(statements.listRead.all({ key: op.key, now: at }), op.key),
        };
      case "set": {
        const ttl = optionalTtl(op.ttlMs, "set");
        const value = serialize(op.value, "set");
        statements.cacheSet.run({ key: op.key, value, expiresAt: ttl === null ? null : at + ttl });
        return { kind: "done" };
      }
      case "setIfNotExists": {
        const ttl = optionalTtl(op.ttlMs, "setIfNotExists");
        const value = serialize(op.value, "setIfNotExists");
        const expiresAt = ttl === null ? null : at + ttl;
        const { changes } = statements.cacheSetIfAbsent.run({
          key: op.key,
          value,
          expiresAt,
          now: at,
        });
        return { kind: "stored", stored: changes === 1 };
      }
      case "delete":
        statements.cacheDelete.run({ key: op.key });
        return { kind: "done" };
      case "appendToList": {
        // The statements of the single appendToList (connection.ts), inside this transaction.
        const value = serialize(op.value, "appendToList");
        const ttl = op.ttlMs;
        const expiresAt =
          typeof ttl === "number" && ttl > 0 ? at + requireTtl(ttl, "appendToList") : null;
        const keep = lengthCap(op.maxLength);
        statements.listDropIfExpired.run({ key: op.key, now: at });
        statements.listTouch.run({ key: op.key, expiresAt, now: at });
        statements.listPush.run({ key: op.key, value });
        if (keep > 0) statements.listTrim.run({ key: op.key, keep });
        return { kind: "done" };
      }
      case "subscribe":
        statements.subscribe.run({ threadId: op.threadId });
        return { kind: "done" };
      case "acquireLock": {
        const expiresAt = at + requireTtl(op.ttlMs, "acquireLock");
        // 128 random bits, as for a single acquireLock.
        const token = `sqlite_${randomBytes(16).toString("base64url")}`;
        const lock: Lock = { threadId: op.lockId, token, expiresAt };
        const { changes } = statements.lockAcquire.run({
          threadId: op.lockId,
          token,
          expiresAt,
          now: at,
        });
        return { kind: "lock", lock: changes === 1 ? lock : null };
      }
      case "releaseLock": {
        const lock = batchReleasedLock(op, earlier);
        if (lock) statements.lockRelease.run({ threadId: lock.threadId, token: lock.token });
        return { kind: "done" };
      }
    }
  };
  const transaction = db.transaction(run);
  return (ops) => transaction.immediate(ops);
}
