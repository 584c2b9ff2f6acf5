import type pg from "pg";
import { PostgresStateError } from "./errors";

/** Bumped with every schema change; recorded in the `schema_version` table of the schema. */
export const SCHEMA_VERSION = 1;

/** A Postgres schema name we put into SQL text: plain lower-case identifiers only. */
export const SCHEMA_NAME_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * One table per namespace, so a cache key and a list or lock with the same name never collide.
 * Times are Unix milliseconds (bigint); `expires_at` NULL means "never". Items of lists and
 * queues are ordered by a bigserial id: appends to one key are serialised by a row lock on the
 * key's parent row, so id order is insertion order.
 */
const schemaV1 = (s: string) => `
CREATE TABLE ${s}.cache (
  key text PRIMARY KEY,
  value text NOT NULL,
  expires_at bigint
);
CREATE INDEX cache_expiry ON ${s}.cache (expires_at) WHERE expires_at IS NOT NULL;

CREATE TABLE ${s}.locks (
  thread_id text PRIMARY KEY,
  token text NOT NULL,
  expires_at bigint NOT NULL
);
CREATE INDEX locks_expiry ON ${s}.locks (expires_at);

CREATE TABLE ${s}.subscriptions (thread_id text PRIMARY KEY);

CREATE TABLE ${s}.lists (
  key text PRIMARY KEY,
  expires_at bigint
);
CREATE INDEX lists_expiry ON ${s}.lists (expires_at) WHERE expires_at IS NOT NULL;
CREATE TABLE ${s}.list_items (
  id bigserial PRIMARY KEY,
  key text NOT NULL,
  value text NOT NULL
);
CREATE INDEX list_items_by_key ON ${s}.list_items (key, id);

CREATE TABLE ${s}.queues (
  thread_id text PRIMARY KEY,
  expires_at bigint NOT NULL
);
CREATE INDEX queues_expiry ON ${s}.queues (expires_at);
CREATE TABLE ${s}.queue_items (
  id bigserial PRIMARY KEY,
  thread_id text NOT NULL,
  value text NOT NULL
);
CREATE INDEX queue_items_by_thread ON ${s}.queue_items (thread_id, id);
`;

/** Ordered migrations: entry i takes the schema from version i to i + 1. */
const MIGRATIONS: readonly ((schema: string) => string)[] = [schemaV1];

/**
 * Brings the schema to SCHEMA_VERSION in one transaction. A transaction-scoped advisory lock
 * (keyed by the schema name) serialises instances starting at the same moment, so only the
 * first one creates the tables.
 */
export async function migrate(client: pg.PoolClient, schema: string): Promise<void> {
  await client.query("BEGIN");
  try {
    await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`baton-state:${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${schema}.schema_version (
         one boolean PRIMARY KEY DEFAULT true CHECK (one),
         version integer NOT NULL)`,
    );
    const found = await client.query<{ version: number }>(
      `SELECT version FROM ${schema}.schema_version`,
    );
    const current = found.rows[0]?.version ?? 0;
    if (current > SCHEMA_VERSION) {
      throw new PostgresStateError(
        "SCHEMA_TOO_NEW",
        `database schema version ${current} is newer than this adapter supports (${SCHEMA_VERSION})`,
      );
    }
    for (let version = current; version < SCHEMA_VERSION; version++) {
      await client.query((MIGRATIONS[version] as (schema: string) => string)(schema));
    }
    await client.query(
      `INSERT INTO ${schema}.schema_version (version) VALUES ($1)
       ON CONFLICT (one) DO UPDATE SET version = excluded.version`,
      [SCHEMA_VERSION],
    );
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}
