import { BatonError } from "@baton/core";
import { createRecordingLogger, type RedisServerHandle, startRedisServer } from "@baton/testing";
import type { QueueEntry, StateAdapter } from "chat";
import Redis from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createRedisState, type RedisState } from "./create-redis-state";
import { DEFAULT_COMMAND_TIMEOUT_MS } from "./redis-client";
import { type ReplicaPair, startReplicaPair } from "./redis-replica-pair.fixture";
import { DEFAULT_REPLICA_ACKS, type ReplicaAcksOptions } from "./replica-acks";

const PREFIX = "acks";
const ENTRY = { enqueuedAt: 1, expiresAt: 2 } as unknown as QueueEntry;

let pair: ReplicaPair | undefined;
let state: RedisState | undefined;

afterEach(async () => {
  await state?.disconnect();
  state = undefined;
  await pair?.stop();
  pair = undefined;
});

/** A fresh primary + replica for the test; stopped after it. */
async function usePair(): Promise<ReplicaPair> {
  pair = await startReplicaPair();
  return pair;
}

async function connect(url: string, replicaAcks?: ReplicaAcksOptions): Promise<RedisState> {
  state = createRedisState({
    url,
    keyPrefix: PREFIX,
    logger: createRecordingLogger(),
    replicaAcks,
  });
  await state.connect();
  return state;
}

/** Every state-changing call once, in an order where each one changes something. */
async function everyWrite(s: StateAdapter, afterEach: (operation: string) => Promise<void>) {
  await s.set("k", { a: 1 }, 60_000);
  await afterEach("set");
  expect(await s.setIfNotExists("claim", "first", 60_000)).toBe(true);
  await afterEach("setIfNotExists");
  await s.subscribe("t1");
  await afterEach("subscribe");
  const lock = await s.acquireLock("t1", 30_000);
  if (!lock) throw new Error("lock not acquired");
  await afterEach("acquireLock");
  expect(await s.extendLock(lock, 90_000)).toBe(true);
  await afterEach("extendLock");
  await s.releaseLock(lock);
  await afterEach("releaseLock");
  await s.acquireLock("t2", 30_000);
  await s.forceReleaseLock("t2");
  await afterEach("forceReleaseLock");
  await s.appendToList("list", 1, { ttlMs: 60_000 });
  await afterEach("appendToList");
  expect(await s.enqueue("t1", ENTRY, 10)).toBe(1);
  await afterEach("enqueue");
  expect(await s.dequeue("t1")).toEqual(ENTRY);
  await afterEach("dequeue");
  await s.unsubscribe("t1");
  await afterEach("unsubscribe");
  await s.delete("k");
  await afterEach("delete");
}
/** everyWrite makes 13 calls: the twelve state-changing methods, acquireLock twice. */
const EVERY_WRITE_CALLS = 13;

/** What the replica must hold right after each call of everyWrite returned. */
function onReplica(replica: Redis): Record<string, () => Promise<void>> {
  const key = (type: string, id: string) => `${PREFIX}:${type}:${id}`;
  return {
    set: async () => expect(await replica.get(key("cache", "k"))).toBe('{"a":1}'),
    setIfNotExists: async () => expect(await replica.get(key("cache", "claim"))).toBe('"first"'),
    subscribe: async () => expect(await replica.sismember(`${PREFIX}:subscriptions`, "t1")).toBe(1),
    acquireLock: async () => expect(await replica.exists(key("lock", "t1"))).toBe(1),
    extendLock: async () => expect(await replica.pttl(key("lock", "t1"))).toBeGreaterThan(60_000),
    releaseLock: async () => expect(await replica.exists(key("lock", "t1"))).toBe(0),
    forceReleaseLock: async () => expect(await replica.exists(key("lock", "t2"))).toBe(0),
    appendToList: async () =>
      expect(await replica.lrange(key("list", "list"), 0, -1)).toEqual(["1"]),
    enqueue: async () => expect(await replica.llen(key("queue", "t1"))).toBe(1),
    dequeue: async () => expect(await replica.llen(key("queue", "t1"))).toBe(0),
    unsubscribe: async () =>
      expect(await replica.sismember(`${PREFIX}:subscriptions`, "t1")).toBe(0),
    delete: async () => expect(await replica.exists(key("cache", "k"))).toBe(0),
  };
}

describe("replicaAcks with a healthy replica", () => {
  it("every state-changing call is on the replica as soon as it returns, one WAIT each", async () => {
    const pair = await usePair();
    const s = await connect(pair.primary.url, DEFAULT_REPLICA_ACKS);
    await pair.resetStats();
    const checks = onReplica(pair.replicaAdmin);
    const checked: string[] = [];
    await everyWrite(s, async (operation) => {
      await checks[operation]?.(); // read at once from the replica: no polling, no sleep
      checked.push(operation);
    });
    expect(checked).toEqual(Object.keys(checks));
    expect(await pair.waitCalls()).toBe(EVERY_WRITE_CALLS);
  });

  it("reads and calls that changed nothing issue no WAIT", async () => {
    const pair = await usePair();
    const s = await connect(pair.primary.url, DEFAULT_REPLICA_ACKS);
    await s.setIfNotExists("claim", "first", 60_000);
    await s.acquireLock("t1", 30_000);
    await pair.resetStats();

    expect(await s.setIfNotExists("claim", "second", 60_000)).toBe(false);
    expect(await s.acquireLock("t1", 30_000)).toBeNull();
    const stale = { threadId: "t1", token: "not-the-holder", expiresAt: 0 };
    expect(await s.extendLock(stale, 30_000)).toBe(false);
    expect(await s.dequeue("empty")).toBeNull();
    expect(await s.get("claim")).toBe("first");
    expect(await s.getList("list")).toEqual([]);
    expect(await s.isSubscribed("t1")).toBe(false);
    expect(await s.queueDepth("t1")).toBe(0);
    expect(await pair.waitCalls()).toBe(0);
  });

  it("concurrent writes are all confirmed, sharing WAITs", async () => {
    const pair = await usePair();
    const s = await connect(pair.primary.url, DEFAULT_REPLICA_ACKS);
    await pair.resetStats();
    const writes = 50;
    const keys = Array.from({ length: writes }, (_, i) => `c${i}`);
    await Promise.all(keys.map((key) => s.set(key, key, 60_000)));
    const values = await pair.replicaAdmin.mget(keys.map((key) => `${PREFIX}:cache:${key}`));
    expect(values).toEqual(keys.map((key) => JSON.stringify(key)));
    const waits = await pair.waitCalls();
    expect(waits).toBeGreaterThanOrEqual(1);
    expect(waits).toBeLessThan(writes);
  });
});

describe("without replicaAcks", () => {
  it("no WAIT is issued, and a stopped replica changes nothing", async () => {
    const pair = await usePair();
    const s = await connect(pair.primary.url);
    await pair.resetStats();
    await everyWrite(s, async () => {});
    await pair.replica.stop();
    await s.set("after", "replica gone", 60_000);
    expect(await s.get("after")).toBe("replica gone");
    expect(await pair.waitCalls()).toBe(0);
  });
});

describe("replicaAcks configuration", () => {
  let redis: RedisServerHandle;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis.stop();
  });
  const url = () => redis.url;
  const logger = createRecordingLogger();

  it.each([
    ["no replicas", { replicas: 0, timeoutMs: 50 }],
    ["a fractional count", { replicas: 1.5, timeoutMs: 50 }],
    ["WAIT 0 (blocks forever)", { replicas: 1, timeoutMs: 0 }],
    [
      "a timeout the command timeout cuts off",
      { replicas: 1, timeoutMs: DEFAULT_COMMAND_TIMEOUT_MS },
    ],
  ])("rejects %s", (_, replicaAcks) => {
    const create = () => createRedisState({ url: url(), replicaAcks, logger });
    expect(create).toThrow(BatonError);
    expect(create).toThrow(/replicaAcks/);
  });

  it("rejects a Cluster client, whose keyless WAIT would go to an arbitrary node", () => {
    const cluster = new Redis.Cluster([{ host: redis.host, port: redis.port }], {
      lazyConnect: true,
    });
    try {
      expect(() =>
        createRedisState({ client: cluster, replicaAcks: DEFAULT_REPLICA_ACKS, logger }),
      ).toThrow(/Cluster/);
    } finally {
      cluster.disconnect();
    }
  });

  it("checks the command timeout of a caller-owned client too", () => {
    const client = new Redis(url(), { lazyConnect: true, commandTimeout: 200 });
    try {
      const replicaAcks = { replicas: 1, timeoutMs: 200 };
      expect(() => createRedisState({ client, replicaAcks, logger })).toThrow(/command timeout/);
      const below = { replicas: 1, timeoutMs: 150 };
      expect(() => createRedisState({ client, replicaAcks: below, logger })).not.toThrow();
    } finally {
      client.disconnect();
    }
  });
});
