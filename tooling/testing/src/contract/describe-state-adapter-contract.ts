import type { StateAdapter } from "chat";
import { afterEach, describe, expect, it } from "vitest";
import { defineCacheCases } from "./cache-cases";
import { defineCacheTtlCases } from "./cache-ttl-cases";
import { defineConnectionCases } from "./connection-cases";
import { createContractContext } from "./contract-context";
import { type StateAdapterContractTarget, validateDeviations } from "./deviations";
import { defineListCases } from "./list-cases";
import { defineLockCases } from "./lock-cases";
import { defineNamespaceCases } from "./namespace-cases";
import { defineQueueCases } from "./queue-cases";
import { defineSubscriptionCases } from "./subscription-cases";
import { SETTLE_DEADLINE_MS, settleWithin } from "./timing";

/**
 * Registers the StateAdapter contract cases (Redis semantics are the reference) for one target.
 * Every case gets fresh adapters from `target.create()`; they are disconnected afterwards.
 */
export function describeStateAdapterContract(
  name: string,
  target: StateAdapterContractTarget,
): void {
  const deviations = validateDeviations(target.deviations ?? []);

  describe(`StateAdapter contract: ${name}`, () => {
    const opened: StateAdapter[] = [];

    afterEach(async () => {
      const adapters = opened.splice(0);
      // Bounded: an adapter that hangs on disconnect must not hang the run (its case says why).
      await Promise.all(adapters.map((a) => settleWithin(a.disconnect(), SETTLE_DEADLINE_MS)));
    });

    const ctx = createContractContext(async () => {
      const adapter = await target.create();
      opened.push(adapter);
      return adapter;
    }, deviations);

    it("create() gives a connected adapter that sees nothing from earlier cases", async () => {
      const first = await ctx.open();
      await first.set("isolation", "first");
      await first.subscribe("isolation");
      const second = await ctx.open();
      expect(second).not.toBe(first);
      expect(await second.get("isolation")).toBeNull();
      expect(await second.isSubscribed("isolation")).toBe(false);
    });

    describe("connection", () => defineConnectionCases(ctx));
    describe("cache", () => defineCacheCases(ctx));
    describe("cache TTL", () => defineCacheTtlCases(ctx));
    describe("locks", () => defineLockCases(ctx));
    describe("lists", () => defineListCases(ctx));
    describe("queues", () => defineQueueCases(ctx));
    describe("subscriptions", () => defineSubscriptionCases(ctx));
    describe("namespaces", () => defineNamespaceCases(ctx));
  });
}
