import { randomUUID } from "node:crypto";
import { StateUnavailableError } from "@baton/core";
import type { StateAdapter } from "chat";

/** The classes of store operation every route relies on. */
export type StoreOperation = "write" | "read-back" | "delete";

/** Long enough for one probe; a probe value left behind by a crash goes by itself. */
const PROBE_TTL_MS = 60_000;
const instance = randomUUID();

/**
 * After the store answered a read: a value written, read back decoded and equal, and deleted,
 * as every mention and callback does. Returns the operations that failed while the store
 * answered (a read-only or full disk, values it cannot decode); throws StateUnavailableError
 * when it stops answering.
 */
export async function probeOperations(state: StateAdapter): Promise<StoreOperation[]> {
  const key = `baton:health-probe:${instance}`;
  const value = { v: 1, text: "probe ✓ ünïcode", at: Date.now() };
  const failed: StoreOperation[] = [];
  const attempt = async (operation: StoreOperation, run: () => Promise<boolean>) => {
    try {
      if (!(await run())) failed.push(operation);
    } catch (error) {
      if (error instanceof StateUnavailableError && !answered(error)) throw error;
      failed.push(operation);
    }
  };
  await attempt("write", async () => {
    await state.set(key, value, PROBE_TTL_MS);
    return true;
  });
  if (!failed.includes("write")) {
    await attempt("read-back", async () => {
      const read = await state.get<typeof value>(key);
      return JSON.stringify(read) === JSON.stringify(value);
    });
  }
  await attempt("delete", async () => {
    await state.delete(key);
    return true;
  });
  return failed;
}

/**
 * A StateUnavailableError whose cause the backend itself raised while answering (SQLite refuses
 * a write: read-only file, disk full) rather than a connection that failed or timed out.
 */
function answered(error: StateUnavailableError): boolean {
  const cause = error.cause as { code?: unknown } | undefined;
  if (typeof cause?.code !== "string" || !cause.code.startsWith("SQLITE_")) return false;
  // Busy or locked: another connection holds the file, the store did not answer in time.
  return !/^SQLITE_(BUSY|LOCKED)/.test(cause.code);
}
