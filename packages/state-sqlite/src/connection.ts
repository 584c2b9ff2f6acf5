import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { BatchOp, BatchResult } from "@baton/core";
import Database from "better-sqlite3";
import type { Logger } from "chat";
import { createSqliteBatch } from "./batch";
import { createExpirySweeper, type ExpirySweeper } from "./expiry-sweeper";
import { migrate } from "./schema";
import { prepareStatements, type Statements } from "./statements";
import { enableWal } from "./wal-mode";

export interface ConnectionOptions {
  path: string;
  synchronous: "FULL" | "NORMAL";
  busyTimeoutMs: number;
  sweepIntervalMs: number;
  sweepBatchSize: number;
  now: () => number;
  logger: Logger;
}

export interface ListAppend {
  key: string;
  value: string;
  /** Newest items to keep; 0 = unbounded. */
  keep: number;
  /** New expiry, or null to keep a live list's expiry. */
  expiresAt: number | null;
  now: number;
}

export interface QueuePush {
  threadId: string;
  value: string;
  keep: number;
  expiresAt: number;
  now: number;
}

/** One open database with its cached statements and multi-statement transactions. */
export interface Connection {
  db: Database.Database;
  statements: Statements;
  sweeper: ExpirySweeper;
  appendToList: (item: ListAppend) => void;
  /** Returns the queue depth after the push. */
  enqueue: (item: QueuePush) => number;
  /** Core's batch: every op in one IMMEDIATE transaction (batch.ts). */
  runBatch: (ops: readonly BatchOp[]) => BatchResult[];
}

/** Opens (creating if needed) the file, switches it to WAL and migrates the schema. */
export function openConnection(options: ConnectionOptions): Connection {
  const { path, logger } = options;
  const inMemory = path === ":memory:";
  if (!inMemory) mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, { timeout: options.busyTimeoutMs });
  try {
    // WAL lets readers run beside the one writer, across processes; the mode persists in the file.
    const mode = enableWal(db, options.busyTimeoutMs);
    if (mode !== "wal" && !inMemory)
      logger.warn("sqlite state could not enable WAL", { path, mode });
    db.pragma(`synchronous = ${options.synchronous}`);
    migrate(db);
    const statements = prepareStatements(db);
    return {
      db,
      statements,
      sweeper: createExpirySweeper({
        db,
        now: options.now,
        intervalMs: options.sweepIntervalMs,
        batchSize: options.sweepBatchSize,
        logger,
      }),
      runBatch: createSqliteBatch(db, statements, options.now),
      appendToList: immediate(db, ({ key, value, keep, expiresAt, now }: ListAppend) => {
        statements.listDropIfExpired.run({ key, now });
        statements.listTouch.run({ key, expiresAt, now });
        statements.listPush.run({ key, value });
        if (keep > 0) statements.listTrim.run({ key, keep });
      }),
      enqueue: immediate(db, ({ threadId, value, keep, expiresAt, now }: QueuePush) => {
        statements.queueDropIfExpired.run({ threadId, now });
        statements.queueTouch.run({ threadId, expiresAt });
        statements.queuePush.run({ threadId, value });
        if (keep > 0) statements.queueTrim.run({ threadId, keep });
        return statements.queueCount.get({ threadId }) ?? 0;
      }),
    };
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * A BEGIN IMMEDIATE transaction: it takes the write lock up front (waiting up to the busy
 * timeout), so it can never fail half-way on a read-to-write lock upgrade against another process.
 */
function immediate<A extends unknown[], R>(
  db: Database.Database,
  body: (...args: A) => R,
): (...args: A) => R {
  const transaction = db.transaction(body);
  return (...args: A) => transaction.immediate(...args);
}
