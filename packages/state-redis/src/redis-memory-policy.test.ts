import { StateUnavailableError } from "@baton/core";
import { createRecordingLogger, type RedisServerHandle, startRedisServer } from "@baton/testing";
import { afterEach, describe, expect, it } from "vitest";
import { createRedisState, type RedisState } from "./create-redis-state";

// Why the README asks for `maxmemory-policy noeviction`: resume state carries a TTL, so an
// evicting policy may drop it, and nothing tells the writer or the later reader.

/** Small enough to fill in a moment; a bare Redis 7 uses about 1 MB. */
const MAXMEMORY = "4mb";
const VALUE = "x".repeat(20_000);
/** 8 MB of values: twice the limit. */
const WRITES = 400;
const TTL_MS = 3_600_000;

let redis: RedisServerHandle | undefined;
let state: RedisState | undefined;

afterEach(async () => {
  await state?.disconnect();
  await redis?.stop();
  state = undefined;
  redis = undefined;
});

async function connectWithPolicy(policy: string): Promise<RedisState> {
  redis = await startRedisServer({
    extraArgs: ["--maxmemory", MAXMEMORY, "--maxmemory-policy", policy],
  });
  state = createRedisState({ url: redis.url, keyPrefix: "mem", logger: createRecordingLogger() });
  await state.connect();
  return state;
}

describe("maxmemory-policy", () => {
  it("noeviction: a write over the limit fails typed; everything stored stays readable", async () => {
    const s = await connectWithPolicy("noeviction");
    let stored = 0;
    let failure: unknown;
    for (; stored < WRITES; stored++) {
      failure = await s.set(`r${stored}`, VALUE, TTL_MS).catch((error: unknown) => error);
      if (failure) break;
    }
    expect(failure).toBeInstanceOf(StateUnavailableError);
    expect(String((failure as Error).cause)).toMatch(/OOM/);
    expect(stored).toBeGreaterThan(0);
    expect(await s.get("r0")).toBe(VALUE);
    expect(await s.get(`r${stored - 1}`)).toBe(VALUE);
  });

  it("volatile-lru: every write succeeds while earlier records silently vanish", async () => {
    const s = await connectWithPolicy("volatile-lru");
    for (let i = 0; i < WRITES; i++) await s.set(`r${i}`, VALUE, TTL_MS);
    const kept = await Promise.all(Array.from({ length: WRITES }, (_, i) => s.get(`r${i}`)));
    const lost = kept.filter((value) => value === null).length;
    expect(lost).toBeGreaterThan(WRITES / 4);
  });
});
