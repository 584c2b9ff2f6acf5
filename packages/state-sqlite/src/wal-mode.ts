import type Database from "better-sqlite3";

/** Pause between attempts to switch the journal mode while another process holds the file. */
const WAL_RETRY_PAUSE_MS = 5;

/**
 * Switches the file to WAL and returns the mode in effect. Changing the journal mode needs the
 * file to itself, and SQLite answers SQLITE_BUSY at once (without its busy handler) when another
 * process is opening or migrating the same new file; so this retries until `busyTimeoutMs`.
 * A file already in WAL (the mode persists in the file) returns without taking any lock.
 */
export function enableWal(db: Database.Database, busyTimeoutMs: number): string {
  const deadline = Date.now() + busyTimeoutMs;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      const current = db.pragma("journal_mode", { simple: true });
      if (current === "wal") return current;
      return String(db.pragma("journal_mode = WAL", { simple: true }));
    } catch (error) {
      if (!isBusy(error) || Date.now() >= deadline) throw error;
      // Opening happens once per process, before it serves anything: a short blocking pause is fine.
      Atomics.wait(pause, 0, 0, WAL_RETRY_PAUSE_MS);
    }
  }
}

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("SQLITE_BUSY");
}
