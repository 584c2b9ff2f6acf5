import { StateUnavailableError } from "@baton/core";
import { createRecordingLogger, type RedisClusterHandle, startRedisCluster } from "@baton/testing";
import type { Cluster } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRedisState, type RedisState } from "./create-redis-state";
import { DEFAULT_COMMAND_TIMEOUT_MS } from "./redis-client";
import { createRedisClusterClient } from "./redis-cluster-client";

const TIMER_SLACK_MS = 750;
const RECOVERY_BOUND_MS = 10_000;
const KEYS = Array.from({ length: 12 }, (_, i) => `key-${i}`);

let cluster: RedisClusterHandle;
let client: Cluster;
let state: RedisState;

beforeAll(async () => {
  cluster = await startRedisCluster();
  client = createRedisClusterClient({ nodes: [...cluster.startupNodes] });
  state = createRedisState({
    client,
    keyPrefix: "cluster-outage",
    logger: createRecordingLogger(),
  });
  await state.connect();
});
afterAll(async () => {
  await state?.disconnect();
  client?.disconnect();
  await cluster?.stop();
});

async function attempt(key: string) {
  const startedAt = performance.now();
  const error = await state.get(key).then(
    () => undefined,
    (e: unknown) => e,
  );
  return { key, error, ms: performance.now() - startedAt };
}

describe("a Redis Cluster primary dies", () => {
  it("its keys fail typed within the command timeout, the others keep working, then recover", async () => {
    for (const key of KEYS) await state.set(key, key);
    const victim = cluster.nodes[0];
    if (!victim) throw new Error("cluster without nodes");
    await victim.kill("SIGKILL");

    const results = [];
    for (const key of KEYS) results.push(await attempt(key));
    const failed = results.filter((r) => r.error !== undefined);
    const served = results.filter((r) => r.error === undefined);
    // Slots are fixed (CRC16 of the key, evenly split over 3 primaries); both groups are checked.
    expect(failed.length).toBeGreaterThan(0);
    expect(served.length).toBeGreaterThan(0);
    for (const r of failed) {
      expect(r.error).toBeInstanceOf(StateUnavailableError);
      expect(r.ms).toBeLessThan(DEFAULT_COMMAND_TIMEOUT_MS + TIMER_SLACK_MS);
    }

    await victim.restart();
    const startedAt = performance.now();
    for (const { key } of failed) {
      for (;;) {
        if ((await attempt(key)).error === undefined) break;
        if (performance.now() - startedAt > RECOVERY_BOUND_MS) throw new Error(`${key} stuck`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  });
});
