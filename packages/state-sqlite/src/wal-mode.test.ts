import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createSqliteState } from "./sqlite-state-adapter";
import { silentLogger, useTempDir } from "./test-support/temp-db";

const tempDir = useTempDir();
const HOLD_MS = 300;
const holders: ChildProcess[] = [];
afterEach(() => {
  for (const holder of holders.splice(0)) holder.kill("SIGKILL");
});

/**
 * Another process creating the file and holding a write transaction on it, as a second Baton
 * process does while it migrates a new file. Resolves once the lock is held.
 */
async function holdWriteLock(path: string): Promise<ChildProcess> {
  const script = `
    const db = new (require("better-sqlite3"))(${JSON.stringify(path)});
    db.exec("create table if not exists held (x)");
    db.exec("begin immediate");
    db.exec("insert into held values (1)");
    process.stdout.write("held\\n");
    setTimeout(() => { db.exec("commit"); db.close(); }, ${HOLD_MS});
  `;
  const holder = spawn(process.execPath, ["-e", script], { cwd: import.meta.dirname });
  holders.push(holder);
  const [chunk] = (await once(holder.stdout ?? holder, "data")) as [Buffer];
  expect(chunk.toString()).toContain("held");
  return holder;
}

describe("opening a file another process is writing", () => {
  it("waits for the other process instead of failing with SQLITE_BUSY on the switch to WAL", async () => {
    const path = join(tempDir(), "state.db");
    await holdWriteLock(path);

    const state = createSqliteState({ path, logger: silentLogger, busyTimeoutMs: 5_000 });
    await state.connect();
    await state.set("opened", "yes");
    expect(await state.get("opened")).toBe("yes");
    await state.disconnect();
  });

  it("still gives up with SQLITE_BUSY once the busy timeout has passed", async () => {
    const path = join(tempDir(), "state.db");
    await holdWriteLock(path);

    const state = createSqliteState({ path, logger: silentLogger, busyTimeoutMs: 50 });
    await expect(state.connect()).rejects.toMatchObject({ code: expect.stringMatching(/BUSY/) });
  });
});
