import Database from "better-sqlite3";
import Redis from "ioredis";
import type { LocalStack } from "./local-stack";
import { STACK_REDIS_KEY_PREFIX } from "./stack-backend";

/**
 * Everything a stack's backend holds, read raw (not through a StateAdapter, which hides expired
 * items and knows only the keys it is asked for), so a test can prove that nothing changed.
 */

/** One stored item. Redis: a key. SQLite: a row, named `{table}:{first column}`. */
export interface StoredEntry {
  key: string;
  /** Redis type (`string`, `list`, `set`, ...) or the SQLite table name. */
  type: string;
  value: unknown;
  /** Absolute expiry in Unix ms (Redis PEXPIRETIME, SQLite `expires_at`); null when none. */
  expiresAt: number | null;
}

export interface BackendDump {
  /** When the dump was taken (ms), to tell an expiry from a deletion. */
  takenAt: number;
  /** Sorted by key. */
  entries: StoredEntry[];
}

export type DumpChange =
  | { kind: "added"; after: StoredEntry }
  | { kind: "removed"; before: StoredEntry }
  | { kind: "changed"; before: StoredEntry; after: StoredEntry };

export interface BackendInspector {
  dump(): Promise<BackendDump>;
  /**
   * Makes every key (SQLite: cache key, list key, lock id) containing `fragment` expire now, as
   * its TTL would have: the backend's own expiry then removes it. Returns how many were found.
   */
  expireKeysContaining(fragment: string): Promise<number>;
  /**
   * Writes raw text behind Baton's back, where the StateAdapter keeps `key`: as the value of a
   * cache key (replacing it) or as one more item of a list. What a bad migration, a manual edit
   * or a disk fault leaves behind; the text is stored as given, never encoded.
   */
  writeRaw(place: RawPlace, key: string, text: string, ttlMs: number): Promise<void>;
  close(): Promise<void>;
}

export type RawPlace = "value" | "list-item";

/** A test backend holds a few hundred keys; more means something is leaking. */
export const MAX_DUMP_ENTRIES = 100_000;
const SCAN_BATCH = 1_000;
const MAX_SCAN_ROUNDS = MAX_DUMP_ENTRIES / 10;

/** Opens a reader of its own on the stack's Redis or SQLite file. */
export async function openBackendInspector(
  stack: Pick<LocalStack, "redis" | "sqlitePath">,
): Promise<BackendInspector> {
  if (stack.redis) return openRedisInspector(stack.redis.url);
  if (stack.sqlitePath) return openSqliteInspector(stack.sqlitePath);
  throw new Error("the stack has neither a Redis server nor a SQLite file");
}

/**
 * What changed between two dumps. A key that vanished after its own expiry time is not a change:
 * time passed, nobody touched it.
 */
export function diffDumps(before: BackendDump, after: BackendDump): DumpChange[] {
  const changes: DumpChange[] = [];
  const earlier = new Map(before.entries.map((entry) => [entry.key, entry]));
  for (const entry of after.entries) {
    const old = earlier.get(entry.key);
    earlier.delete(entry.key);
    if (!old) changes.push({ kind: "added", after: entry });
    else if (JSON.stringify(old) !== JSON.stringify(entry)) {
      changes.push({ kind: "changed", before: old, after: entry });
    }
  }
  for (const old of earlier.values()) {
    const expired = old.expiresAt !== null && old.expiresAt <= after.takenAt;
    if (!expired) changes.push({ kind: "removed", before: old });
  }
  return changes;
}

async function openRedisInspector(url: string): Promise<BackendInspector> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await client.connect();
  return {
    async dump() {
      const takenAt = Date.now();
      const keys = await scanAll(client);
      const meta = await client
        .pipeline(keys.flatMap((key) => [["type", key] as const, ["pexpiretime", key] as const]))
        .exec();
      const types = keys.map((_, i) => String(meta?.[2 * i]?.[1]));
      const values = await client.pipeline(keys.map((key, i) => readCommand(key, types[i]))).exec();
      const entries = keys.map((key, i): StoredEntry => {
        const expiry = Number(meta?.[2 * i + 1]?.[1]);
        return {
          key,
          type: types[i] as string,
          value: normalise(types[i] as string, values?.[i]?.[1]),
          expiresAt: expiry >= 0 ? expiry : null,
        };
      });
      return { takenAt, entries: entries.sort((a, b) => compare(a.key, b.key)) };
    },
    async expireKeysContaining(fragment) {
      const keys = (await scanAll(client)).filter((key) => key.includes(fragment));
      if (keys.length > 0) await client.pipeline(keys.map((key) => ["pexpire", key, "1"])).exec();
      return keys.length;
    },
    async writeRaw(place, key, text, ttlMs) {
      // The Chat SDK ioredis adapter's layout: `{prefix}:cache:{key}`, `{prefix}:list:{key}`.
      if (place === "value") {
        await client.set(`${STACK_REDIS_KEY_PREFIX}:cache:${key}`, text, "PX", ttlMs);
        return;
      }
      const listKey = `${STACK_REDIS_KEY_PREFIX}:list:${key}`;
      await client.multi().rpush(listKey, text).pexpire(listKey, ttlMs).exec();
    },
    async close() {
      await client.quit().catch(() => client.disconnect());
    },
  };
}

async function scanAll(client: Redis): Promise<string[]> {
  const keys = new Set<string>();
  let cursor = "0";
  for (let round = 0; round < MAX_SCAN_ROUNDS; round++) {
    const [next, batch] = await client.scan(cursor, "COUNT", SCAN_BATCH);
    for (const key of batch) keys.add(key);
    if (keys.size > MAX_DUMP_ENTRIES) throw new Error(`more than ${MAX_DUMP_ENTRIES} keys`);
    cursor = next;
    if (cursor === "0") return [...keys];
  }
  throw new Error(`SCAN did not finish in ${MAX_SCAN_ROUNDS} rounds`);
}

function readCommand(key: string, type: string | undefined): [string, ...string[]] {
  switch (type) {
    case "string":
      return ["get", key];
    case "list":
      return ["lrange", key, "0", "-1"];
    case "set":
      return ["smembers", key];
    case "hash":
      return ["hgetall", key];
    case "zset":
      return ["zrange", key, "0", "-1", "WITHSCORES"];
    case "stream":
      return ["xrange", key, "-", "+"];
    default:
      // Vanished between SCAN and TYPE ("none"): anything harmless keeps indexes aligned.
      return ["exists", key];
  }
}

/** Sets come back in no particular order; hashes as objects with insertion-ordered keys. */
function normalise(type: string, value: unknown): unknown {
  if (type === "set" && Array.isArray(value)) return [...value].sort(compare);
  if (type === "hash" && value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).sort(([a], [b]) => compare(a, b)));
  }
  return value;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** SQLite tables with an expiry, and the column naming each item. */
const SQLITE_EXPIRING = [
  ["cache", "key"],
  ["lists", "key"],
  ["locks", "thread_id"],
  ["queues", "thread_id"],
] as const;

async function openSqliteInspector(path: string): Promise<BackendInspector> {
  // WAL mode: this connection sees every committed write; reads block no writer.
  const db = new Database(path, { fileMustExist: true });
  const tables = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    .pluck()
    .all() as string[];
  return {
    async dump() {
      const takenAt = Date.now();
      const entries: StoredEntry[] = [];
      for (const table of tables) {
        const rows = db.prepare(`SELECT * FROM "${table}"`).all() as Record<string, unknown>[];
        for (const row of rows) {
          const expiry = row.expires_at;
          entries.push({
            key: `${table}:${String(Object.values(row)[0])}`,
            type: table,
            value: row,
            expiresAt: typeof expiry === "number" ? expiry : null,
          });
        }
        if (entries.length > MAX_DUMP_ENTRIES)
          throw new Error(`more than ${MAX_DUMP_ENTRIES} rows`);
      }
      return { takenAt, entries: entries.sort((a, b) => compare(a.key, b.key)) };
    },
    async expireKeysContaining(fragment) {
      let found = 0;
      for (const [table, column] of SQLITE_EXPIRING) {
        const result = db
          .prepare(`UPDATE "${table}" SET expires_at = ? WHERE instr("${column}", ?) > 0`)
          .run(Date.now() - 1, fragment);
        found += result.changes;
      }
      return found;
    },
    async writeRaw(place, key, text, ttlMs) {
      const expiresAt = Date.now() + ttlMs;
      if (place === "value") {
        db.prepare(
          "INSERT INTO cache (key, value, expires_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at",
        ).run(key, text, expiresAt);
        return;
      }
      db.transaction(() => {
        db.prepare(
          "INSERT INTO lists (key, expires_at) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at",
        ).run(key, expiresAt);
        db.prepare("INSERT INTO list_items (key, value) VALUES (?, ?)").run(key, text);
      })();
    },
    async close() {
      db.close();
    },
  };
}
