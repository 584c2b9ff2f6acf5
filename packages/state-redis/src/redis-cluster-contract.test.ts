import { randomUUID } from "node:crypto";
import {
  createRecordingLogger,
  describeStateAdapterContract,
  type RedisClusterHandle,
  startRedisCluster,
} from "@baton/testing";
import type { Cluster } from "ioredis";
import { afterAll, beforeAll } from "vitest";
import { createRedisState } from "./create-redis-state";
import { createRedisClusterClient } from "./redis-cluster-client";

let cluster: RedisClusterHandle;
let client: Cluster;

beforeAll(async () => {
  cluster = await startRedisCluster();
  client = createRedisClusterClient({ nodes: [...cluster.startupNodes] });
});
afterAll(async () => {
  client?.disconnect();
  await cluster?.stop();
});

// A real 3-primary Redis Cluster behind one shared, caller-owned Cluster client: each case's
// keys (own prefix) spread over the nodes, and every command must still touch a single slot.
describeStateAdapterContract("redis cluster (state-ioredis, Redis.Cluster client)", {
  async create() {
    const state = createRedisState({
      client,
      keyPrefix: `contract:${randomUUID()}`,
      logger: createRecordingLogger(),
    });
    await state.connect();
    return state;
  },
});
