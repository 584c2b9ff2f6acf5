import { randomUUID } from "node:crypto";
import {
  createRecordingLogger,
  describeStateAdapterContract,
  type RedisServerHandle,
  startRedisServer,
} from "@baton/testing";
import { createIoRedisState } from "@chat-adapter/state-ioredis";
import { afterAll, beforeAll } from "vitest";

let redis: RedisServerHandle;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis?.stop();
});

// The reference itself, unwrapped: proves the suite encodes what Redis actually does. Each case
// gets its own key prefix, so cases never see each other's keys.
describeStateAdapterContract("reference (@chat-adapter/state-ioredis, own client)", {
  async create() {
    const state = createIoRedisState({
      url: redis.url,
      keyPrefix: `contract-${randomUUID()}`,
      logger: createRecordingLogger(),
    });
    await state.connect();
    return state;
  },
  // It quits the client it created on disconnect() and never makes a new one: a later connect()
  // hangs or resolves on a stale status, and calls fail. @baton/state-redis reconnects.
  deviations: ["reconnect-after-disconnect-broken"],
});
