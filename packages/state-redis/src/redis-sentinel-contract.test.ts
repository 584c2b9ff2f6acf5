import { randomUUID } from "node:crypto";
import {
  createRecordingLogger,
  describeStateAdapterContract,
  type RedisSentinelGroupHandle,
  startRedisSentinelGroup,
} from "@baton/testing";
import type Redis from "ioredis";
import { afterAll, beforeAll } from "vitest";
import { createRedisState } from "./create-redis-state";
import { createRedisSentinelClient } from "./redis-sentinel-client";
import { DEFAULT_REPLICA_ACKS } from "./replica-acks";

let group: RedisSentinelGroupHandle;
let client: Redis;

beforeAll(async () => {
  group = await startRedisSentinelGroup();
  client = createRedisSentinelClient({ sentinels: [...group.sentinels], name: group.name });
}, 60_000);
afterAll(async () => {
  client?.disconnect();
  await group?.stop();
});

// A real primary + replica + three redis-sentinel processes behind one caller-owned Sentinel
// client, each write confirmed by the replica (WAIT): the configuration the README recommends.
describeStateAdapterContract("redis sentinel (state-ioredis, Sentinel client, replicaAcks)", {
  async create() {
    const state = createRedisState({
      client,
      keyPrefix: `contract:${randomUUID()}`,
      logger: createRecordingLogger(),
      replicaAcks: DEFAULT_REPLICA_ACKS,
    });
    await state.connect();
    return state;
  },
});
