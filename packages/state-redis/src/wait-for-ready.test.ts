import { getFreePort, type RedisServerHandle, startRedisServer } from "@baton/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRedisClient } from "./redis-client";
import { RedisNotReadyError, waitForReady } from "./wait-for-ready";

let redis: RedisServerHandle;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis?.stop();
});

describe("waitForReady", () => {
  it("resolves for a ready client, and starts a lazyConnect client", async () => {
    const client = createRedisClient({ url: redis.url, redisOptions: { lazyConnect: true } });
    try {
      expect(client.status).toBe("wait");
      await waitForReady(client, 2_000);
      expect(client.status).toBe("ready");
      await waitForReady(client, 2_000);
    } finally {
      client.disconnect();
    }
  });

  it("rejects on the next connection error", async () => {
    const client = createRedisClient({ url: `redis://127.0.0.1:${await getFreePort()}` });
    try {
      const error = await waitForReady(client, 5_000).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RedisNotReadyError);
      expect((error as Error).cause).toMatchObject({ code: "ECONNREFUSED" });
    } finally {
      client.disconnect();
    }
  });

  it("rejects at the timeout when nothing happens, and at once for an ended client", async () => {
    await redis.pause(); // TCP connects, the ready check never answers
    const client = createRedisClient({ url: redis.url, commandTimeoutMs: 10_000 });
    try {
      const startedAt = Date.now();
      await expect(waitForReady(client, 300)).rejects.toBeInstanceOf(RedisNotReadyError);
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(290);
    } finally {
      await redis.resume();
      const ended = new Promise((resolve) => client.once("end", resolve));
      client.disconnect();
      await ended;
    }
    await expect(waitForReady(client, 5_000)).rejects.toThrow(/status "end"/);
  });
});
