import { expect } from "vitest";
import type { ContractContext } from "./contract-context";

const THREAD = "slack:C0123:1700000000.000100";

export function defineSubscriptionCases(ctx: ContractContext): void {
  ctx.test("subscribe()/unsubscribe() toggle isSubscribed() with set semantics", async () => {
    const state = await ctx.open();
    expect(await state.isSubscribed(THREAD)).toBe(false);
    await state.subscribe(THREAD);
    await state.subscribe(THREAD);
    expect(await state.isSubscribed(THREAD)).toBe(true);
    expect(await state.isSubscribed(`${THREAD}-other`)).toBe(false);
    // Subscribing twice is not counted: one unsubscribe ends it.
    await state.unsubscribe(THREAD);
    expect(await state.isSubscribed(THREAD)).toBe(false);
    await state.unsubscribe(THREAD);
    await state.unsubscribe("never-subscribed");
  });

  ctx.test("subscriptions of different threads are independent", async () => {
    const state = await ctx.open();
    const threads = Array.from({ length: 5 }, (_, i) => `${THREAD}-${i}`);
    await Promise.all(threads.map((thread) => state.subscribe(thread)));
    await state.unsubscribe(threads[2] as string);
    const subscribed = await Promise.all(threads.map((thread) => state.isSubscribed(thread)));
    expect(subscribed).toEqual([true, true, false, true, true]);
  });
}
