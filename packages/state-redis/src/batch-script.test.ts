import { randomUUID } from "node:crypto";
import { batchCapability, runStateBatch } from "@baton/core";
import { createRecordingLogger, type RedisServerHandle, startRedisServer } from "@baton/testing";
import type Redis from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BATCH_SCRIPT } from "./batch-script";
import { createRedisState, type RedisState } from "./create-redis-state";
import { createRedisClient } from "./redis-client";
import { createRedisClusterClient } from "./redis-cluster-client";

let redis: RedisServerHandle;
let admin: Redis;
const states: RedisState[] = [];

beforeAll(async () => {
  redis = await startRedisServer();
  admin = createRedisClient({ url: redis.url });
});
afterAll(async () => {
  await Promise.all(states.splice(0).map((state) => state.disconnect()));
  admin?.disconnect();
  await redis?.stop();
});

async function open(): Promise<RedisState> {
  const state = createRedisState({
    url: redis.url,
    keyPrefix: `batch:${randomUUID()}`,
    logger: createRecordingLogger(),
  });
  states.push(state);
  await state.connect();
  return state;
}

/** Calls of one command as Redis counts them (script-internal calls count under their own name). */
async function calls(command: string): Promise<number> {
  const info = await admin.info("commandstats");
  const match = new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(info);
  return Number(match?.[1] ?? 0);
}

describe("redis batch script", () => {
  it("runs a whole batch as one EVALSHA of the script loaded at connect", async () => {
    const state = await open();
    const [evalshaBefore, evalBefore] = [await calls("evalsha"), await calls("eval")];
    const results = await runStateBatch(state, [
      { kind: "setIfNotExists", key: "seen", value: 1, ttlMs: 60_000, stopIfRefused: true },
      { kind: "acquireLock", lockId: "claim", ttlMs: 10_000 },
      { kind: "get", key: "record" },
      { kind: "get", key: "message-state" },
      { kind: "set", key: "reply", value: { chunks: ["Grüße ✅"] }, ttlMs: 60_000 },
    ]);
    expect(results.map((r) => r.kind)).toEqual(["stored", "lock", "read", "read", "done"]);
    expect((await calls("evalsha")) - evalshaBefore).toBe(1);
    expect((await calls("eval")) - evalBefore).toBe(0);
  });

  it("answers NOSCRIPT (the server lost its scripts) by sending the script once, then EVALSHA again", async () => {
    const state = await open();
    await admin.script("FLUSH");
    const evalBefore = await calls("eval");
    const first = await runStateBatch(state, [
      { kind: "set", key: "after-flush", value: "kept", ttlMs: 60_000 },
      { kind: "get", key: "after-flush" },
    ]);
    expect(first[1]).toEqual({ kind: "read", read: { kind: "found", value: "kept" } });
    expect((await calls("eval")) - evalBefore).toBe(1);
    await runStateBatch(state, [{ kind: "get", key: "after-flush" }]);
    expect((await calls("eval")) - evalBefore).toBe(1);
  });

  it("reads a value that is not JSON as corrupt, never as a failing store", async () => {
    const state = await open();
    const [written] = await runStateBatch(state, [{ kind: "set", key: "probe", value: 1 }]);
    expect(written).toEqual({ kind: "done" });
    const [key] = await admin.keys("batch:*:cache:probe");
    await admin.set(key ?? "", "{not json");
    const prefix = (key ?? "").slice(0, -"probe".length);
    expect(prefix.endsWith(":cache:")).toBe(true);
    expect(await runStateBatch(state, [{ kind: "get", key: "probe" }])).toEqual([
      { kind: "read", read: { kind: "corrupt", reason: "undecodable" } },
    ]);
  });

  it("refuses a batch whose description does not match its keys before running any op", async () => {
    const key = `batch:${randomUUID()}:written`;
    // Two ops described, one key: nothing may run, not even the first op's write.
    await expect(
      admin.eval(BATCH_SCRIPT, 1, key, "s0,0;g0,0;", JSON.stringify("Grüße"), ""),
    ).rejects.toThrow(/describes 2 ops/);
    // An unknown code, after a valid write: refused whole.
    await expect(admin.eval(BATCH_SCRIPT, 2, key, key, "s0,0;x0,0;", '"a"', "")).rejects.toThrow(
      /unknown batch op x/,
    );
    expect(await admin.exists(key)).toBe(0);
    // Well described, the same write goes through.
    await admin.eval(BATCH_SCRIPT, 1, key, "s60000,0;", JSON.stringify("Grüße"));
    expect(JSON.parse((await admin.get(key)) ?? "null")).toBe("Grüße");
    expect(await admin.pttl(key)).toBeGreaterThan(0);
  });

  it("is not offered with a Cluster client: one batch's keys live on different nodes", () => {
    const client = createRedisClusterClient({ nodes: [{ host: "127.0.0.1", port: 1 }] });
    client.on("error", () => undefined);
    try {
      const state = createRedisState({ client, logger: createRecordingLogger() });
      expect(batchCapability(state)).toBeUndefined();
    } finally {
      client.disconnect();
    }
  });
});
