import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach } from "vitest";
import { createSqliteState, type SqliteStateAdapterOptions } from "../sqlite-state-adapter";
import { silentLogger } from "./silent-logger";

export { silentLogger };

/** A hand-driven clock starting at a fixed instant. */
export function createClock(start = 1_700_000_000_000) {
  let current = start;
  return {
    now: () => current,
    advance(ms: number) {
      current += ms;
    },
  };
}

/** A fresh temp directory per test, removed after it (also after a failure). */
export function useTempDir(): () => string {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    const dir = mkdtempSync(join(tmpdir(), "baton-state-sqlite-"));
    dirs.push(dir);
    return dir;
  };
}

/**
 * Connected adapters on real files in a temp dir, driven by a fake clock; every adapter is
 * disconnected after the test.
 */
export function useTestState() {
  const tempDir = useTempDir();
  const open: { disconnect(): Promise<void> }[] = [];
  afterEach(async () => {
    for (const state of open.splice(0)) await state.disconnect();
  });
  return async (options: Partial<SqliteStateAdapterOptions> = {}) => {
    const clock = createClock();
    const path = options.path ?? join(tempDir(), "state.db");
    const state = createSqliteState({ now: clock.now, logger: silentLogger, ...options, path });
    open.push(state);
    await state.connect();
    return { state, clock, path };
  };
}
