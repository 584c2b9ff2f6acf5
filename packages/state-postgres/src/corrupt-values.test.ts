import { guardStateAdapter, StateValueCorruptError } from "@baton/core";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { freshSchema, usePostgres } from "./test-support/postgres";

const postgres = usePostgres();

/** What a bad migration, a manual edit or a disk fault leaves behind: text that is not JSON. */
const NOT_JSON = ["{not json at all", "", '{"v":1,"thread":{"id":"slack:C1', "naïve `--flag"];

/** Changes stored text behind the adapter's back, through a connection of its own. */
async function overwrite(sql: string, ...params: unknown[]): Promise<void> {
  const client = new pg.Client({ connectionString: postgres.server().url });
  await client.connect();
  try {
    await client.query(sql, params);
  } finally {
    await client.end();
  }
}

describe("a stored value that cannot be decoded", () => {
  it("is StateValueCorruptError naming the key, never the content, and the guard keeps it so", async () => {
    const schema = freshSchema();
    const state = await postgres.open({ schema });
    const guarded = guardStateAdapter(state, "postgres");
    for (const [index, text] of NOT_JSON.entries()) {
      const key = `bot-request-message-state:req-corrupt-${index}`;
      await state.set(key, { v: 1 });
      await overwrite(`UPDATE ${schema}.cache SET value = $1 WHERE key = $2`, text, key);
      for (const adapter of [state, guarded]) {
        const error = await adapter.get(key).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(StateValueCorruptError);
        expect(error).toMatchObject({ code: "STATE_VALUE_CORRUPT", key, operation: "get" });
        if (text.length > 3) expect((error as Error).message).not.toContain(text);
      }
    }
    await state.set("healthy", { ok: true });
    expect(await guarded.get("healthy")).toEqual({ ok: true });
  });

  it("in a list: the error carries every item that did decode", async () => {
    const schema = freshSchema();
    const state = await postgres.open({ schema });
    for (const id of ["req-a-000001", "req-b-000002", "req-c-000003"]) {
      await state.appendToList("bucket", id);
    }
    await overwrite(
      `UPDATE ${schema}.list_items SET value = $1 WHERE value = $2`,
      "{trunc",
      '"req-b-000002"',
    );
    const error = await guardStateAdapter(state, "postgres")
      .getList("bucket")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StateValueCorruptError);
    expect(error).toMatchObject({ key: "bucket", readable: ["req-a-000001", "req-c-000003"] });
  });

  it("in a queue: dequeued once as corrupt, and the next entry comes out after it", async () => {
    const schema = freshSchema();
    const state = await postgres.open({ schema });
    const entry = (id: string) => ({ message: { id }, enqueuedAt: 0, expiresAt: 9e15 });
    await state.enqueue("thread-1", entry("m1") as never, 10);
    await state.enqueue("thread-1", entry("m2") as never, 10);
    await overwrite(`UPDATE ${schema}.queue_items SET value = '{x' WHERE strpos(value, 'm1') > 0`);
    const error = await state.dequeue("thread-1").catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "STATE_VALUE_CORRUPT", key: "queue:thread-1" });
    expect(await state.dequeue("thread-1")).toMatchObject({ message: { id: "m2" } });
  });
});
