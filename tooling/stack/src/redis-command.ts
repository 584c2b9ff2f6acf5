import type { RedisServerHandle } from "@baton/testing";
import Redis from "ioredis";

/** One connection attempt; a test's redis-server is on loopback. */
const CONNECT_TIMEOUT_MS = 2_000;

/**
 * Runs one raw Redis command on a test server, on a connection of its own (not through a
 * StateAdapter): for tests that set up what no adapter would write, e.g. a key of the wrong type
 * that makes one write of the app fail while everything else works.
 */
export async function redisCommand(
  redis: Pick<RedisServerHandle, "url">,
  command: string,
  ...args: (string | number)[]
): Promise<unknown> {
  const client = new Redis(redis.url, {
    lazyConnect: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
  });
  try {
    await client.connect();
    return await client.call(command, ...args);
  } finally {
    client.disconnect();
  }
}
