import { StateUnavailableError } from "@baton/core";
import { createRecordingLogger } from "@baton/testing";
import type { Lock, QueueEntry, StateAdapter } from "chat";
import { afterEach, describe, expect, it } from "vitest";
import { createRedisState, type RedisState } from "./create-redis-state";
import { type ReplicaPair, startReplicaPair } from "./redis-replica-pair.fixture";
import {
  DEFAULT_REPLICA_ACK_TIMEOUT_MS,
  DEFAULT_REPLICA_ACKS,
  ReplicaAcksMissingError,
} from "./replica-acks";
import { type SwitchableProxy, startSwitchableProxy } from "./switchable-proxy.fixture";

const PREFIX = "acks";
const TIMEOUT_MS = DEFAULT_REPLICA_ACK_TIMEOUT_MS;
/**
 * An idle redis-server checks blocked commands' timeouts on its cron tick (hz 10 = every 100 ms),
 * so WAIT returns up to one tick after its timeout: WAIT 1 100 fails after 100-200 ms.
 */
const SERVER_TICK_MS = 100;
/** One WAIT that times out, as the caller sees it. */
const WAIT_TIMES_OUT_MS = TIMEOUT_MS + SERVER_TICK_MS;
/** Slack for timers and a loaded machine, on top of the bounds above. */
const TIMER_SLACK_MS = 750;
/** WAIT's own clock is in ms: allow it to return that much before the timeout. */
const EARLY_MS = 5;
const ENTRY = { enqueuedAt: 1, expiresAt: 2 } as unknown as QueueEntry;

const pairs: ReplicaPair[] = [];
const states: RedisState[] = [];
let proxy: SwitchableProxy | undefined;

afterEach(async () => {
  await Promise.all(states.splice(0).map((s) => s.disconnect()));
  await proxy?.close();
  proxy = undefined;
  await Promise.all(pairs.splice(0).map((pair) => pair.stop()));
});

async function newPair(): Promise<ReplicaPair> {
  const pair = await startReplicaPair();
  pairs.push(pair);
  return pair;
}

async function connect(url: string, timeoutMs = TIMEOUT_MS): Promise<RedisState> {
  const state = createRedisState({
    url,
    keyPrefix: PREFIX,
    logger: createRecordingLogger(),
    replicaAcks: { ...DEFAULT_REPLICA_ACKS, timeoutMs },
  });
  states.push(state);
  await state.connect();
  return state;
}

async function timed<T>(call: () => Promise<T>) {
  const startedAt = performance.now();
  try {
    return { value: await call(), error: undefined, ms: performance.now() - startedAt };
  } catch (error) {
    return { value: undefined, error, ms: performance.now() - startedAt };
  }
}

/** Every state-changing call, each set up (while the replica was healthy) to change something. */
function writes(lock: Lock): [string, (s: StateAdapter) => Promise<unknown>][] {
  return [
    ["set", (s) => s.set("k", "during outage", 60_000)],
    ["setIfNotExists", (s) => s.setIfNotExists("fresh", 1, 60_000)],
    ["delete", (s) => s.delete("old")],
    ["appendToList", (s) => s.appendToList("list", 2, { ttlMs: 60_000 })],
    ["enqueue", (s) => s.enqueue("t1", ENTRY, 10)],
    ["dequeue", (s) => s.dequeue("t1")],
    ["acquireLock", (s) => s.acquireLock("free", 30_000)],
    ["extendLock", (s) => s.extendLock(lock, 60_000)],
    ["releaseLock", (s) => s.releaseLock(lock)],
    ["forceReleaseLock", (s) => s.forceReleaseLock("held")],
    ["subscribe", (s) => s.subscribe("t2")],
    ["unsubscribe", (s) => s.unsubscribe("t1")],
  ];
}

async function prepare(s: StateAdapter): Promise<Lock> {
  await s.set("old", "x", 60_000);
  await s.enqueue("t1", ENTRY, 10);
  await s.subscribe("t1");
  await s.acquireLock("held", 30_000);
  const lock = await s.acquireLock("t1", 30_000);
  if (!lock) throw new Error("lock not acquired");
  return lock;
}

async function expectUnconfirmed(s: StateAdapter, lock: Lock) {
  for (const [operation, call] of writes(lock)) {
    const result = await timed(() => call(s));
    expect(result.error, operation).toBeInstanceOf(StateUnavailableError);
    expect(result.error).toMatchObject({ backend: "redis", operation });
    const cause = (result.error as Error).cause;
    expect(cause).toBeInstanceOf(ReplicaAcksMissingError);
    expect(cause).toMatchObject({ code: "REPLICA_ACKS_MISSING", required: 1, confirmed: 0 });
    expect(result.ms, operation).toBeGreaterThanOrEqual(TIMEOUT_MS - EARLY_MS);
    expect(result.ms, operation).toBeLessThan(WAIT_TIMES_OUT_MS + TIMER_SLACK_MS);
  }
}

describe("replicaAcks when the replica is gone", () => {
  it("stopped: every write fails typed after the WAIT timeout, reads work, and it recovers", async () => {
    const pair = await newPair();
    const s = await connect(pair.primary.url);
    const lock = await prepare(s);
    await pair.replica.stop();

    await expectUnconfirmed(s, lock);
    // Reads do not wait. A failed write's outcome is unknown, not "not written": the primary has it.
    const reads = await timed(() =>
      Promise.all([s.get("k"), s.queueDepth("t1"), s.getList("list")]),
    );
    expect(reads.value).toEqual(["during outage", 1, [2]]);
    expect(reads.ms).toBeLessThan(TIMER_SLACK_MS);
    // The lock whose acquisition failed was released again, so the thread is not stuck for its TTL.
    expect(await pair.primaryAdmin.exists(`${PREFIX}:lock:free`)).toBe(0);

    await pair.replica.restart();
    await pair.waitForLink();
    await s.set("k", "after outage", 60_000);
    expect(await pair.replicaAdmin.get(`${PREFIX}:cache:k`)).toBe('"after outage"');
  });

  it("stalled (SIGSTOP): writes fail at the WAIT timeout; SIGCONT brings confirmations back", async () => {
    const pair = await newPair();
    const s = await connect(pair.primary.url);
    const lock = await prepare(s);
    await pair.replica.pause(); // still connected as far as the primary knows

    await expectUnconfirmed(s, lock);
    await pair.replica.resume();
    await pair.waitForLink();
    await s.set("k", "after stall", 60_000);
    expect(await pair.replicaAdmin.get(`${PREFIX}:cache:k`)).toBe('"after stall"');
  });

  it("concurrent writes share WAITs: each fails within two WAIT timeouts, a read within one", async () => {
    const pair = await newPair();
    const s = await connect(pair.primary.url);
    await pair.replica.pause();
    await pair.resetStats();
    const writes = 20;

    const startedAt = performance.now();
    const results = Promise.all(
      Array.from({ length: writes }, (_, i) => timed(() => s.set(`c${i}`, i, 60_000))),
    );
    await new Promise((resolve) => setTimeout(resolve, 20)); // a WAIT now blocks the connection
    const read = await timed(() => s.get("c0"));
    const failed = await results;
    const totalMs = performance.now() - startedAt;

    for (const result of failed) expect(result.error).toBeInstanceOf(StateUnavailableError);
    // One WAIT per write would queue them on the connection: 20 x 100-200 ms.
    expect(totalMs).toBeLessThan(2 * WAIT_TIMES_OUT_MS + TIMER_SLACK_MS);
    expect(read.value).toBe(0);
    expect(read.ms).toBeLessThan(WAIT_TIMES_OUT_MS + TIMER_SLACK_MS);
    expect(await pair.waitCalls()).toBeLessThan(writes);
  });
});

describe("replicaAcks on a failover behind a stable address", () => {
  it("a WAIT answered by the new primary does not confirm a write made on the old one", async () => {
    const [old, promoted] = await Promise.all([newPair(), newPair()]);
    proxy = await startSwitchableProxy(old.primary.port);
    // Long enough that the switch certainly lands while WAIT blocks, below the command timeout.
    const waitTimeoutMs = 500;
    const s = await connect(proxy.url, waitTimeoutMs);
    await old.replica.pause(); // the write will never reach the old primary's replica
    await promoted.resetStats();

    const pending = timed(() => s.set("w", "acknowledged?", 60_000));
    await new Promise((resolve) => setTimeout(resolve, 100));
    proxy.switchTo(promoted.primary.port); // the client reconnects and resends WAIT there
    const result = await pending;

    expect(result.error).toBeInstanceOf(StateUnavailableError);
    expect((result.error as Error).cause).toMatchObject({
      code: "REPLICA_ACKS_MISSING",
      confirmed: undefined,
    });
    // The WAIT resent to the new primary came back before its timeout, so its replica confirmed
    // it: taken at its word, the write would count as safe, yet the new primary never had it.
    expect(await promoted.waitCalls()).toBe(1);
    expect(result.ms).toBeLessThan(waitTimeoutMs);
    expect(await s.get("w")).toBeNull();
  });
});
