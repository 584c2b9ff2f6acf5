import { describe, expect, it } from "vitest";
import {
  boundedRedisOptions,
  DEFAULT_COMMAND_TIMEOUT_MS,
  DEFAULT_CONNECT_TIMEOUT_MS,
  RECONNECT_MAX_DELAY_MS,
  reconnectDelay,
} from "./redis-client";

describe("reconnectDelay", () => {
  it("doubles from the base delay and stays at the cap, never giving up", () => {
    const delays = Array.from({ length: 8 }, (_, i) => reconnectDelay(i + 1));
    expect(delays).toEqual([50, 100, 200, 400, 800, 1_000, 1_000, 1_000]);
    expect(reconnectDelay(10_000)).toBe(RECONNECT_MAX_DELAY_MS);
    expect(reconnectDelay(3, 10, 25)).toBe(25);
  });
});

describe("boundedRedisOptions", () => {
  it("bounds every wait by default", () => {
    const options = boundedRedisOptions({});
    expect(options).toMatchObject({
      connectTimeout: DEFAULT_CONNECT_TIMEOUT_MS,
      commandTimeout: DEFAULT_COMMAND_TIMEOUT_MS,
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      enableReadyCheck: true,
    });
    expect(options.retryStrategy?.(1)).toBe(50);
    expect(options.retryStrategy?.(99)).toBe(RECONNECT_MAX_DELAY_MS);
  });

  it("takes overrides, and raw ioredis options last", () => {
    const options = boundedRedisOptions({
      commandTimeoutMs: 250,
      reconnectMaxDelayMs: 300,
      connectionName: "baton-web",
      redisOptions: { db: 2 },
    });
    expect(options).toMatchObject({ commandTimeout: 250, connectionName: "baton-web", db: 2 });
    expect(options.retryStrategy?.(10)).toBe(300);
  });
});
