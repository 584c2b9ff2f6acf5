import { guardStateAdapter, StateValueCorruptError } from "@baton/core";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { useTestState } from "./test-support/temp-db";

const setup = useTestState();

/** What a bad migration, a manual edit or a disk fault leaves behind: text that is not JSON. */
const NOT_JSON = ["{not json at all", "", '{"v":1,"thread":{"id":"slack:C1', "\u0000\u0001"];

/** Overwrites stored text behind the adapter's back, through a connection of its own. */
function overwrite(path: string, sql: string, ...params: unknown[]): void {
  const db = new Database(path);
  try {
    db.prepare(sql).run(...params);
  } finally {
    db.close();
  }
}

describe("a stored value that cannot be decoded", () => {
  it("is StateValueCorruptError naming the key, never the content, and the guard keeps it so", async () => {
    const { state, path } = await setup();
    const guarded = guardStateAdapter(state, "sqlite");
    for (const [index, text] of NOT_JSON.entries()) {
      const key = `bot-request-message-state:req-corrupt-${index}`;
      await state.set(key, { v: 1 });
      overwrite(path, "UPDATE cache SET value = ? WHERE key = ?", text, key);
      for (const adapter of [state, guarded]) {
        const error = await adapter.get(key).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(StateValueCorruptError);
        expect(error).toMatchObject({ code: "STATE_VALUE_CORRUPT", key, operation: "get" });
        if (text.length > 3) expect((error as Error).message).not.toContain(text);
      }
    }
    // Other keys still read: one bad value is not a failing store.
    await state.set("healthy", { ok: true });
    expect(await guarded.get("healthy")).toEqual({ ok: true });
  });

  it("in a list: the error carries every item that did decode", async () => {
    const { state, path } = await setup();
    for (const id of ["req-a-000001", "req-b-000002", "req-c-000003"]) {
      await state.appendToList("bucket", id);
    }
    overwrite(path, "UPDATE list_items SET value = ? WHERE value = ?", "{trunc", '"req-b-000002"');
    const error = await guardStateAdapter(state, "sqlite")
      .getList("bucket")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StateValueCorruptError);
    expect(error).toMatchObject({ key: "bucket", readable: ["req-a-000001", "req-c-000003"] });
  });

  it("in a queue: dequeued once as corrupt, and the next entry comes out after it", async () => {
    const { state, path } = await setup();
    const entry = (id: string) => ({ message: { id }, enqueuedAt: 0, expiresAt: 9e15 });
    await state.enqueue("thread-1", entry("m1") as never, 10);
    await state.enqueue("thread-1", entry("m2") as never, 10);
    overwrite(path, "UPDATE queue_items SET value = ? WHERE instr(value, 'm1') > 0", "{x");
    const error = await state.dequeue("thread-1").catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "STATE_VALUE_CORRUPT", key: "queue:thread-1" });
    expect(await state.dequeue("thread-1")).toMatchObject({ message: { id: "m2" } });
  });
});
