import { randomUUID } from "node:crypto";
import { type BatchOp, batchCapability, runStateBatch } from "@baton/core";
import type { StateAdapter } from "chat";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openBackend } from "../support/backend-spec";
import { BACKENDS, type TestBackend } from "../support/backends";
import { openBatched } from "./open-batched";

/** The same state without its batch capability: core runs the ops one call at a time. */
function withoutBatch(state: StateAdapter): StateAdapter {
  return new Proxy(state, {
    get: (target, property, receiver) =>
      property === "runBatch" ? undefined : Reflect.get(target, property, receiver),
  });
}

/** A realistic value: long markdown, a code block full of CLI flags, non-ASCII, a link. */
const REPLY = {
  v: 1,
  chunks: [
    "Fixed: `pnpm install --frozen-lockfile --prefer-offline` now runs before the build.\n\n" +
      "```sh\nnpx biome check --write --no-errors-on-unmatched src/ && tsc -p . --noEmit\n```\n" +
      "Grüße, 日本語のテスト — see <https://example.com/pr/42?x=1&y=2|PR 42> ✅",
  ],
  posted: 0,
};

const MODES = [
  { mode: "batched", wrap: (state: StateAdapter) => state },
  { mode: "generic", wrap: withoutBatch },
] as const;

describe.each(BACKENDS)("state batch on $name", ({ name, start }) => {
  let backend: TestBackend;
  const opened: StateAdapter[] = [];

  beforeAll(async () => {
    backend = await start();
  });
  afterAll(async () => {
    await Promise.all(opened.splice(0).map((state) => state.disconnect()));
    await backend?.stop();
  });

  async function open(): Promise<StateAdapter> {
    const state = await openBatched(backend.spec);
    opened.push(state);
    return state;
  }

  it("is offered where one round trip is possible (Redis; SQLite when asked) and not on Postgres", async () => {
    const state = await open();
    expect(batchCapability(state) !== undefined).toBe(name !== "postgres");
    // As the app opens it: SQLite's batch is off by default.
    const plain = await openBackend(backend.spec);
    opened.push(plain);
    expect(batchCapability(plain) !== undefined).toBe(name === "redis");
  });

  describe.each(MODES)("$mode", ({ wrap }) => {
    it("writes what single calls read back, and reads what single calls wrote", async () => {
      const state = wrap(await open());
      const key = `batch:${randomUUID()}`;
      await state.set(`${key}:before`, { seen: "ß" }, 60_000);
      const results = await runStateBatch(state, [
        { kind: "set", key: `${key}:reply`, value: REPLY, ttlMs: 60_000 },
        { kind: "get", key: `${key}:before` },
        { kind: "get", key: `${key}:missing` },
        { kind: "setIfNotExists", key: `${key}:before`, value: 2, ttlMs: 60_000 },
        { kind: "setIfNotExists", key: `${key}:new`, value: "first", ttlMs: 60_000 },
        { kind: "delete", key: `${key}:gone` },
      ]);
      expect(results).toEqual([
        { kind: "done" },
        { kind: "read", read: { kind: "found", value: { seen: "ß" } } },
        { kind: "read", read: { kind: "missing" } },
        { kind: "stored", stored: false },
        { kind: "stored", stored: true },
        { kind: "done" },
      ]);
      expect(await state.get(`${key}:reply`)).toEqual(REPLY);
      expect(await state.get(`${key}:before`)).toEqual({ seen: "ß" });
      expect(await state.get(`${key}:new`)).toBe("first");
    });

    it("appends to lists with the call's cap and TTL, and subscribes threads, as single calls do", async () => {
      const state = wrap(await open());
      const key = `batch-list:${randomUUID()}`;
      const threadId = `slack:C0ÄÖ:${randomUUID()}`;
      await state.appendToList(`${key}:queue`, "br_before", { maxLength: 3, ttlMs: 60_000 });
      const entries = ["br_1", { id: "br_2", at: 1_700_000_000_000 }, REPLY, "br_4"];
      const results = await runStateBatch(state, [
        ...entries.map(
          (value): BatchOp => ({
            kind: "appendToList",
            key: `${key}:queue`,
            value,
            maxLength: 3,
            ttlMs: 60_000,
          }),
        ),
        { kind: "appendToList", key: `${key}:uncapped`, value: "only" },
        { kind: "subscribe", threadId },
      ]);
      expect(results).toEqual(
        entries.map(() => ({ kind: "done" })).concat([{ kind: "done" }, { kind: "done" }]),
      );
      // The cap keeps the newest three, in order, as the single call's does.
      expect(await state.getList(`${key}:queue`)).toEqual(entries.slice(1));
      expect(await state.getList(`${key}:uncapped`)).toEqual(["only"]);
      expect(await state.isSubscribed(threadId)).toBe(true);
      expect(await state.isSubscribed(`${threadId}:other`)).toBe(false);
    });

    it("reads a list as getList does: in order, empty when absent, after an append in the same batch", async () => {
      const state = wrap(await open());
      const key = `batch-list:${randomUUID()}`;
      await state.appendToList(key, "br_1");
      await state.appendToList(key, { id: "br_2", text: "Grüße — `--force`" });
      const results = await runStateBatch(state, [
        { kind: "getList", key },
        { kind: "getList", key: `${key}:absent` },
        { kind: "appendToList", key, value: REPLY },
        { kind: "getList", key },
      ]);
      expect(results).toEqual([
        {
          kind: "list",
          read: { items: ["br_1", { id: "br_2", text: "Grüße — `--force`" }], corrupt: false },
        },
        { kind: "list", read: { items: [], corrupt: false } },
        { kind: "done" },
        {
          kind: "list",
          read: {
            items: ["br_1", { id: "br_2", text: "Grüße — `--force`" }, REPLY],
            corrupt: false,
          },
        },
      ]);
    });

    it("a list's TTL set in a batch expires it", async () => {
      const state = wrap(await open());
      const key = `batch-list:${randomUUID()}`;
      await runStateBatch(state, [{ kind: "appendToList", key, value: "br_1", ttlMs: 1_000 }]);
      expect(await state.getList(key)).toEqual(["br_1"]);
      // Far from the read before on a busy machine, so the read before still finds it.
      await new Promise((resolve) => setTimeout(resolve, 1_300));
      expect(await state.getList(key)).toEqual([]);
    });

    it("a refused guard stops the batch: nothing after it is written or taken", async () => {
      const state = wrap(await open());
      const key = `batch:${randomUUID()}`;
      const ops: BatchOp[] = [
        {
          kind: "setIfNotExists",
          key: `${key}:seen`,
          value: 1,
          ttlMs: 60_000,
          stopIfRefused: true,
        },
        { kind: "acquireLock", lockId: `${key}:claim`, ttlMs: 60_000 },
        { kind: "set", key: `${key}:after`, value: "written", ttlMs: 60_000 },
      ];
      const first = await runStateBatch(state, ops);
      expect(first[0]).toEqual({ kind: "stored", stored: true });
      expect(first[1]?.kind === "lock" && first[1].lock !== null).toBe(true);
      await state.delete(`${key}:after`);
      const second = await runStateBatch(state, ops);
      expect(second).toEqual([
        { kind: "stored", stored: false },
        { kind: "skipped" },
        { kind: "skipped" },
      ]);
      expect(await state.get(`${key}:after`)).toBeNull();
    });

    it("a lock taken in a batch is a real lock: exclusive, extendable, released by its token", async () => {
      const state = wrap(await open());
      const lockId = `batch-lock:${randomUUID()}`;
      const [taken] = await runStateBatch(state, [{ kind: "acquireLock", lockId, ttlMs: 60_000 }]);
      const lock = taken?.kind === "lock" ? taken.lock : null;
      expect(lock?.threadId).toBe(lockId);
      expect(await state.acquireLock(lockId, 60_000)).toBeNull();
      expect(await runStateBatch(state, [{ kind: "acquireLock", lockId, ttlMs: 60_000 }])).toEqual([
        { kind: "lock", lock: null },
      ]);
      if (!lock) return;
      expect(await state.extendLock(lock, 60_000)).toBe(true);
      // Another holder's token releases nothing.
      await runStateBatch(state, [{ kind: "releaseLock", lock: { ...lock, token: "forged" } }]);
      expect(await state.acquireLock(lockId, 60_000)).toBeNull();
      await runStateBatch(state, [{ kind: "releaseLock", lock }]);
      expect(await state.acquireLock(lockId, 60_000)).not.toBeNull();
    });

    it("releases a lock taken earlier in the same batch, and only if it was taken", async () => {
      const state = wrap(await open());
      const lockId = `batch-lock:${randomUUID()}`;
      const results = await runStateBatch(state, [
        { kind: "acquireLock", lockId, ttlMs: 60_000 },
        { kind: "releaseLock", acquiredAt: 0 },
      ]);
      expect(results[0]?.kind === "lock" && results[0].lock !== null).toBe(true);
      const held = await state.acquireLock(lockId, 60_000);
      expect(held).not.toBeNull();
      // Refused now: its release must leave the holder's lock alone.
      await runStateBatch(state, [
        { kind: "acquireLock", lockId, ttlMs: 60_000 },
        { kind: "releaseLock", acquiredAt: 0 },
      ]);
      expect(await state.acquireLock(lockId, 60_000)).toBeNull();
    });

    it("exactly one of 20 concurrent batches passes the same guard and claim", async () => {
      const state = wrap(await open());
      const key = `batch:${randomUUID()}`;
      const all = await Promise.all(
        Array.from({ length: 20 }, () =>
          runStateBatch(state, [
            { kind: "acquireLock", lockId: `${key}:claim`, ttlMs: 60_000, stopIfRefused: true },
            { kind: "setIfNotExists", key: `${key}:final`, value: "won", ttlMs: 60_000 },
          ]),
        ),
      );
      const winners = all.filter((r) => r[1]?.kind === "stored" && r[1].stored);
      expect(winners).toHaveLength(1);
      expect(all.filter((r) => r[1]?.kind === "skipped")).toHaveLength(19);
    });
  });
});
