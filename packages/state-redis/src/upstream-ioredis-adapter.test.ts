import { createRecordingLogger, getFreePort, startRedisServer } from "@baton/testing";
import { IoRedisStateAdapter } from "@chat-adapter/state-ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { createRedisClient } from "./redis-client";

// Pins what the upstream adapter does when Redis is down at start-up, i.e. why RedisStateAdapter
// waits for readiness itself. If upstream changes, these fail and the wrapper can be revisited.
describe("upstream IoRedisStateAdapter with Redis down at start-up", () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  it("memoises the rejected connect(): retries fail at once until the client is ready", async () => {
    const port = await getFreePort();
    const client = createRedisClient({ url: `redis://127.0.0.1:${port}` });
    cleanup.push(async () => client.disconnect());
    const adapter = new IoRedisStateAdapter({ client, logger: createRecordingLogger() });

    const first = await adapter.connect().catch((error: unknown) => error);
    expect(first).toMatchObject({ code: "ECONNREFUSED" });
    // Same promise, same error: connect() does not try again while Redis is still down.
    expect(await adapter.connect().catch((error: unknown) => error)).toBe(first);

    const redis = await startRedisServer({ port });
    cleanup.push(() => redis.stop());
    // Its one-shot "ready" listener flips `connected` later, and connect() checks that first.
    const deadline = Date.now() + 5_000;
    let recovered = false;
    while (!recovered && Date.now() < deadline) {
      recovered = await adapter.connect().then(
        () => true,
        () => false,
      );
      if (!recovered) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(recovered).toBe(true);
    await adapter.set("k", "v");
    expect(await adapter.get("k")).toBe("v");
  });
});
