import { randomUUID } from "node:crypto";
import {
  createRecordingLogger,
  describeStateAdapterContract,
  type RedisServerHandle,
  startRedisServer,
} from "@baton/testing";
import type Redis from "ioredis";
import { afterAll, beforeAll } from "vitest";
import { createRedisState } from "./create-redis-state";
import { createRedisClient } from "./redis-client";

let redis: RedisServerHandle;
const callerClients: Redis[] = [];

beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  for (const client of callerClients.splice(0)) client.disconnect();
  await redis?.stop();
});

// Every case gets its own key prefix on the one server, so no case sees another's keys.
const prefix = () => `contract:${randomUUID()}`;

describeStateAdapterContract("redis (state-ioredis)", {
  async create() {
    const state = createRedisState({
      url: redis.url,
      keyPrefix: prefix(),
      logger: createRecordingLogger(),
    });
    await state.connect();
    return state;
  },
});

// The Cluster/Sentinel route: the caller builds and owns the client; disconnect() leaves it open.
describeStateAdapterContract("redis (state-ioredis, caller-owned client)", {
  async create() {
    const client = createRedisClient({ url: redis.url });
    callerClients.push(client);
    const state = createRedisState({
      client,
      keyPrefix: prefix(),
      logger: createRecordingLogger(),
    });
    await state.connect();
    return state;
  },
});
