import { StateValueCorruptError } from "@baton/core";
import { createRecordingLogger, type RedisServerHandle, startRedisServer } from "@baton/testing";
import Redis from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRedisState, type RedisState } from "./create-redis-state";

const PREFIX = "corrupt-test";
let redis: RedisServerHandle;
let raw: Redis;
let state: RedisState;

beforeAll(async () => {
  redis = await startRedisServer();
  raw = new Redis(redis.url);
  state = createRedisState({ url: redis.url, keyPrefix: PREFIX, logger: createRecordingLogger() });
  await state.connect();
});
afterAll(async () => {
  await state?.disconnect();
  raw?.disconnect();
  await redis?.stop();
});

/**
 * The ioredis adapter hands back the raw text of a value that is not JSON (a caller cannot tell
 * it from a stored string) and fails its list and queue reads with a bare SyntaxError (which
 * would read as "store down"). Baton's Redis backend makes both StateValueCorruptError, as SQLite.
 */
describe("a stored value that cannot be decoded, on Redis", () => {
  it("get: StateValueCorruptError naming the key, never the content", async () => {
    const key = "bot-request-message-state:req-redis-corrupt";
    await raw.set(`${PREFIX}:cache:${key}`, "{not json at all");
    const error = await state.get(key).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StateValueCorruptError);
    expect(error).toMatchObject({ code: "STATE_VALUE_CORRUPT", key, operation: "get" });
    expect((error as Error).message).not.toContain("not json at all");
    // A stored string is still a string; an empty value is corrupt too.
    await state.set("a-string", "plain text");
    expect(await state.get("a-string")).toBe("plain text");
    await raw.set(`${PREFIX}:cache:empty`, "");
    expect(await state.get("empty").catch((e: unknown) => e)).toBeInstanceOf(
      StateValueCorruptError,
    );
  });

  it("getList: the error carries every item that did decode", async () => {
    await raw.rpush(`${PREFIX}:list:bucket`, '"req-a-000001"', "{trunc", '"req-c-000003"');
    const error = await state.getList("bucket").catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: "STATE_VALUE_CORRUPT",
      key: "bucket",
      readable: ["req-a-000001", "req-c-000003"],
    });
  });

  it("dequeue: corrupt once, then the next entry", async () => {
    const queue = `${PREFIX}:queue:thread-1`;
    await raw.rpush(queue, "{x", JSON.stringify({ message: { id: "m2" }, expiresAt: 9e15 }));
    const error = await state.dequeue("thread-1").catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "STATE_VALUE_CORRUPT", key: "queue:thread-1" });
    expect(await state.dequeue("thread-1")).toMatchObject({ message: { id: "m2" } });
  });
});
