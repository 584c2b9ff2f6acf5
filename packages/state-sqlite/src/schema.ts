import type Database from "better-sqlite3";
import { SqliteStateError } from "./errors";

/** Bumped with every schema change; stored in `PRAGMA user_version`. */
export const SCHEMA_VERSION = 1;

/**
 * One table per namespace, so a cache key and a list or lock with the same name never collide.
 * Times are Unix milliseconds; `expires_at` NULL means "never". Items of lists and queues are
 * ordered by their rowid: SQLite gives a new row max(rowid)+1, so order within a key is
 * insertion order even after deletions.
 */
const SCHEMA_V1 = `
CREATE TABLE cache (
  key TEXT PRIMARY KEY NOT NULL,
  value TEXT NOT NULL,
  expires_at INTEGER
);
CREATE INDEX cache_expiry ON cache (expires_at) WHERE expires_at IS NOT NULL;

CREATE TABLE locks (
  thread_id TEXT PRIMARY KEY NOT NULL,
  token TEXT NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX locks_expiry ON locks (expires_at);

CREATE TABLE subscriptions (
  thread_id TEXT PRIMARY KEY NOT NULL
) WITHOUT ROWID;

CREATE TABLE lists (
  key TEXT PRIMARY KEY NOT NULL,
  expires_at INTEGER
);
CREATE INDEX lists_expiry ON lists (expires_at) WHERE expires_at IS NOT NULL;
CREATE TABLE list_items (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL,
  value TEXT NOT NULL
);
CREATE INDEX list_items_by_key ON list_items (key, id);

CREATE TABLE queues (
  thread_id TEXT PRIMARY KEY NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX queues_expiry ON queues (expires_at);
CREATE TABLE queue_items (
  id INTEGER PRIMARY KEY,
  thread_id TEXT NOT NULL,
  value TEXT NOT NULL
);
CREATE INDEX queue_items_by_thread ON queue_items (thread_id, id);
`;

/** Ordered migrations: entry i takes the schema from version i to i + 1. */
const MIGRATIONS: readonly string[] = [SCHEMA_V1];

/**
 * Brings the file to SCHEMA_VERSION. Runs under BEGIN IMMEDIATE, so processes opening a fresh
 * file at the same moment serialise here and only the first one creates the tables.
 */
export function migrate(db: Database.Database): void {
  const run = db.transaction(() => {
    const current = db.pragma("user_version", { simple: true }) as number;
    if (current > SCHEMA_VERSION) {
      throw new SqliteStateError(
        "SCHEMA_TOO_NEW",
        `database schema version ${current} is newer than this adapter supports (${SCHEMA_VERSION})`,
      );
    }
    for (let version = current; version < SCHEMA_VERSION; version++) {
      db.exec(MIGRATIONS[version] as string);
    }
    if (current !== SCHEMA_VERSION) db.pragma(`user_version = ${SCHEMA_VERSION}`);
  });
  run.immediate();
}
