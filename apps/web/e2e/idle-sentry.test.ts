import { type LocalStack, startLocalStack } from "@baton/stack";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sleep } from "./support/sleep";

/** Sweeps run every second here: a minute idle is sixty of them. */
const SWEEP_INTERVAL_MS = 1_000;
const IDLE_MS = 60_000;
const DEADLINE_MS = 3_000;

/**
 * An idle instance sends Sentry nothing (no transactions, no client reports of dropped spans),
 * and the sweeper's events are its own: not labelled with the HTTP request that started Baton.
 */
describe("Sentry from an idle instance, on redis", () => {
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startLocalStack({
      backend: "redis",
      sentry: true,
      env: {
        BATON_SWEEP_INTERVAL_MS: String(SWEEP_INTERVAL_MS),
        BATON_REQUEST_DEADLINE_MS: String(DEADLINE_MS),
      },
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it(
    "sends no envelope for a minute of sweeps, then one sweeper event named for the sweep",
    async () => {
      // The stack's readiness check built Baton inside `GET /api/health`: the sweeper is running.
      const health = await fetch(`${stack.server.url}/api/health`);
      expect(health.status).toBe(200);
      await sleep(IDLE_MS);
      const sentry = stack.sentry;
      if (!sentry) throw new Error("the stack was started with sentry: true");
      expect(sentry.rawBodies()).toEqual([]);

      const { threadTs } = await stack.mention("a job nobody answers [never]");
      const { botRequestId } = await stack.waitForDispatch(threadTs);
      const event = await sentry.waitForEvent(
        (e) => e.contexts?.baton?.botRequestId === botRequestId,
        DEADLINE_MS + 10_000,
      );
      expect(event.tags).toMatchObject({ component: "sweeper", reason: "deadline", botRequestId });
      expect(event.transaction).toBe("sweep deadlines");
      expect(event.request).toBeUndefined();
      // Only error events: no transaction and no client report came with it.
      const types = sentry.envelopes().flatMap((e) => e.items.map((item) => item.header.type));
      expect(new Set(types)).toEqual(new Set(["event"]));
    },
    IDLE_MS + 60_000,
  );
});
