import { StateUnavailableError } from "@baton/core";
import {
  createRecordingLogger,
  getFreePort,
  type RecordingLogger,
  type RedisServerHandle,
  startRedisServer,
} from "@baton/testing";
import type { StateAdapter } from "chat";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createRedisState, DEFAULT_READY_TIMEOUT_MS, type RedisState } from "./create-redis-state";
import { createRedisClient, DEFAULT_COMMAND_TIMEOUT_MS } from "./redis-client";

/** The promise for callers: with Redis gone, a store call fails well within a webhook's budget. */
const FAIL_FAST_BOUND_MS = 1_000;
/** After Redis returns: the reconnect delay cap (1 s) plus a connect, with room for a slow box. */
const RECOVERY_BOUND_MS = 5_000;
/** Slack on top of the command timeout for a timer firing late on a loaded machine. */
const TIMER_SLACK_MS = 750;

let redis: RedisServerHandle | undefined;
let state: RedisState | undefined;
let logger: RecordingLogger;

beforeEach(() => {
  logger = createRecordingLogger();
});
afterEach(async () => {
  await state?.disconnect();
  await redis?.stop();
  state = undefined;
  redis = undefined;
});

async function connectedState(): Promise<RedisState> {
  redis = await startRedisServer();
  state = createRedisState({ url: redis.url, keyPrefix: "outage", logger });
  await state.connect();
  await state.set("before", "outage");
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

/** The calls a webhook handler makes, checked one by one while Redis is down. */
const CALLS: [string, (s: StateAdapter) => Promise<unknown>][] = [
  ["get", (s) => s.get("before")],
  ["set", (s) => s.set("k", "v", 60_000)],
  ["setIfNotExists", (s) => s.setIfNotExists("claim", 1, 60_000)],
  ["acquireLock", (s) => s.acquireLock("thread", 30_000)],
  ["appendToList", (s) => s.appendToList("list", 1, { ttlMs: 60_000 })],
  ["enqueue", (s) => s.enqueue("thread", { enqueuedAt: 0, expiresAt: 0 } as never, 10)],
];

async function expectFailFast(s: StateAdapter) {
  for (const [operation, call] of CALLS) {
    const result = await timed(() => call(s));
    expect(result.error, operation).toBeInstanceOf(StateUnavailableError);
    expect(result.error).toMatchObject({ code: "STATE_UNAVAILABLE", backend: "redis", operation });
    expect(result.ms, operation).toBeLessThan(FAIL_FAST_BOUND_MS);
  }
}

async function recoveryTime(s: StateAdapter): Promise<number> {
  const startedAt = performance.now();
  for (;;) {
    const attempt = await timed(() => s.set("after", "outage"));
    if (!attempt.error) return performance.now() - startedAt;
    expect(attempt.error).toBeInstanceOf(StateUnavailableError);
    if (performance.now() - startedAt > RECOVERY_BOUND_MS) throw new Error("no recovery");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("Redis goes away while connected", () => {
  it("stopped: every call fails typed in under a second, then recovers after restart", async () => {
    const s = await connectedState();
    await redis?.stop();
    await expectFailFast(s);
    await expectFailFast(s); // and keeps failing fast, it does not queue up

    await redis?.restart();
    expect(await recoveryTime(s)).toBeLessThan(RECOVERY_BOUND_MS);
    expect(await s.get("after")).toBe("outage");
    expect(logger.at("warn", "unreachable")).toHaveLength(1);
    expect(logger.at("info", "ready again")).toHaveLength(1);
    expect(logger.at("error")).toHaveLength(0);
  });

  it("killed with SIGKILL: same bound, same recovery", async () => {
    const s = await connectedState();
    await redis?.kill("SIGKILL");
    await expectFailFast(s);
    await redis?.restart();
    expect(await recoveryTime(s)).toBeLessThan(RECOVERY_BOUND_MS);
  });

  it("a call in flight when Redis dies fails within the command timeout", async () => {
    const s = await connectedState();
    await redis?.pause(); // the call is sent but never answered...
    const inFlight = timed(() => s.get("before"));
    await new Promise((resolve) => setTimeout(resolve, 100));
    await redis?.kill("SIGKILL"); // ...then the connection drops under it
    const result = await inFlight;
    expect(result.error).toBeInstanceOf(StateUnavailableError);
    expect(result.ms).toBeLessThan(DEFAULT_COMMAND_TIMEOUT_MS + TIMER_SLACK_MS);
  });

  it("stalled (SIGSTOP): calls fail at the command timeout; SIGCONT brings it back", async () => {
    const s = await connectedState();
    await redis?.pause();
    for (const [operation, call] of CALLS.slice(0, 2)) {
      const result = await timed(() => call(s));
      expect(result.error, operation).toBeInstanceOf(StateUnavailableError);
      expect(result.ms, operation).toBeGreaterThanOrEqual(DEFAULT_COMMAND_TIMEOUT_MS - 50);
      expect(result.ms, operation).toBeLessThan(DEFAULT_COMMAND_TIMEOUT_MS + TIMER_SLACK_MS);
    }
    const health = await s.ping();
    expect(health.ok).toBe(false);
    await redis?.resume();
    expect(await recoveryTime(s)).toBeLessThan(RECOVERY_BOUND_MS);
    expect(await s.get("before")).toBe("outage");
  });
});

describe("Redis is down at start-up", () => {
  it("connect() fails typed within its bound; a later connect() succeeds once Redis is up", async () => {
    const port = await getFreePort();
    state = createRedisState({ url: `redis://127.0.0.1:${port}`, keyPrefix: "boot", logger });

    const early = await timed(() => (state as RedisState).get("k"));
    expect(early.error).toBeInstanceOf(StateUnavailableError);
    expect((early.error as Error).cause).toMatchObject({ code: "STATE_NOT_CONNECTED" });

    const down = await timed(() => (state as RedisState).connect());
    expect(down.error).toBeInstanceOf(StateUnavailableError);
    expect(down.error).toMatchObject({ operation: "connect" });
    expect(down.ms).toBeLessThan(DEFAULT_READY_TIMEOUT_MS + TIMER_SLACK_MS);
    expect((await state.ping()).ok).toBe(false);
    // Retrying while still down fails again (nothing memoised, nothing hangs).
    expect((await timed(() => (state as RedisState).connect())).error).toBeInstanceOf(
      StateUnavailableError,
    );

    redis = await startRedisServer({ port });
    const up = await timed(() => (state as RedisState).connect());
    expect(up.error).toBeUndefined();
    await state.set("k", "v");
    expect(await state.get("k")).toBe("v");
    expect(await state.ping()).toMatchObject({ ok: true });
  });

  it("a never-started server on a closed port fails connect() fast, not at the timeout", async () => {
    const port = await getFreePort();
    state = createRedisState({ url: `redis://127.0.0.1:${port}`, logger });
    const down = await timed(() => (state as RedisState).connect());
    expect(down.error).toBeInstanceOf(StateUnavailableError);
    expect(down.ms).toBeLessThan(FAIL_FAST_BOUND_MS);
  });
});

describe("lifecycle", () => {
  it("disconnect() then connect() reconnects with a new client", async () => {
    const s = await connectedState();
    await s.disconnect();
    await expect(s.get("before")).rejects.toBeInstanceOf(StateUnavailableError);
    await s.connect();
    expect(await s.get("before")).toBe("outage");
  });

  it("disconnect() during a pending connect() wins, also with a caller-owned client", async () => {
    redis = await startRedisServer();
    await redis.pause(); // TCP connects, the ready check hangs: connect() stays pending
    const client = createRedisClient({ url: redis.url });
    try {
      const s = createRedisState({ client, logger });
      const pending = s.connect().catch((error: unknown) => error);
      await new Promise((resolve) => setTimeout(resolve, 100));
      await s.disconnect();
      await redis.resume();
      const outcome = await pending;
      expect(outcome).toBeInstanceOf(StateUnavailableError);
      expect((outcome as Error).cause).toMatchObject({ code: "STATE_NOT_CONNECTED" });
      await expect(s.get("k")).rejects.toBeInstanceOf(StateUnavailableError);
      await s.connect(); // and a deliberate connect() afterwards works
      expect(await s.get("k")).toBeNull();
    } finally {
      client.disconnect();
    }
  });

  it("disconnect() while Redis is down returns promptly", async () => {
    const s = await connectedState();
    await redis?.kill("SIGKILL");
    const result = await timed(() => s.disconnect());
    expect(result.error).toBeUndefined();
    expect(result.ms).toBeLessThan(FAIL_FAST_BOUND_MS);
  });

  it("ping() reports latency when up and a typed error when down, never throwing", async () => {
    const s = await connectedState();
    const up = await s.ping();
    expect(up).toMatchObject({ ok: true });
    expect(up.latencyMs).toBeGreaterThanOrEqual(0);
    await redis?.stop();
    const down = await s.ping();
    expect(down.ok).toBe(false);
    if (!down.ok) expect(down.error).toBeInstanceOf(StateUnavailableError);
    expect(down.latencyMs).toBeLessThan(FAIL_FAST_BOUND_MS);
  });
});
