import { createMemoryState } from "@chat-adapter/state-memory";
import type { StateAdapter } from "chat";
import { beforeEach, describe, expect, it } from "vitest";
import { botRequestFinalKey, botRequestKey } from "../keys";
import { stopClaimRenewal } from "../state/lock-renewal";
import { newBotRequest } from "../test-support/bot-request-fixtures";
import { createBotRequestStore } from "./bot-request-store";

describe("bot request store", () => {
  let state: StateAdapter;
  let clock: number;
  const now = () => clock;

  beforeEach(async () => {
    state = createMemoryState();
    await state.connect();
    clock = 1_700_000_000_000;
  });

  it("creates a dispatching record and marks it running with the agent's ids", async () => {
    const store = createBotRequestStore({ state, now });
    const created = await store.create(newBotRequest({ id: "req-create-1" }));
    expect(created).toMatchObject({ status: "dispatching", createdAt: clock, updatedAt: clock });

    clock += 5;
    await store.markRunning(created, { agentSessionId: "sess-1", executionId: "exec-1" });
    const loaded = await store.get("req-create-1");
    expect(loaded).toMatchObject({
      kind: "found",
      record: { status: "running", agentSessionId: "sess-1", updatedAt: clock },
    });
  });

  it("finalises exactly once: the first outcome wins and never changes", async () => {
    const store = createBotRequestStore({ state, now });
    const record = await store.create(newBotRequest({ id: "req-final-1" }));

    const first = await store.finalize(record, { status: "completed" });
    expect(first).toMatchObject({ kind: "finalized", record: { status: "completed" } });

    const second = await store.finalize(record, {
      status: "error",
      error: { code: "late", message: "too late" },
    });
    expect(second).toMatchObject({ kind: "already-final", record: { status: "completed" } });

    // A late dispatcher update touches only the live key; the final record still wins on read.
    await store.markRunning(record, { agentSessionId: "late" });
    const loaded = await store.get("req-final-1");
    expect(loaded).toMatchObject({ kind: "found", record: { status: "completed" } });
    expect(loaded.kind === "found" && loaded.record.agentSessionId).toBeUndefined();
  });

  it("lets exactly one of many concurrent finalisers win", async () => {
    const store = createBotRequestStore({ state, now });
    const record = await store.create(newBotRequest({ id: "req-race-1" }));
    const results = await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        store.finalize(record, { status: "error", error: { code: `c${i}`, message: "x" } }),
      ),
    );
    const winners = results.filter((r) => r.kind === "finalized");
    expect(winners).toHaveLength(1);
    const stored = await store.get("req-race-1");
    expect(stored.kind === "found" && stored.record.error?.code).toBe(
      winners[0]?.kind === "finalized" && winners[0].record.error?.code,
    );
  });

  it("keeps error details on an error outcome", async () => {
    const store = createBotRequestStore({ state, now });
    const record = await store.create(newBotRequest({ id: "req-error-1" }));
    await store.finalize(record, {
      status: "error",
      error: { code: "state-missing", message: "message state expired" },
    });
    expect(await store.get("req-error-1")).toMatchObject({
      record: { status: "error", error: { code: "state-missing" }, finalizedAt: clock },
    });
  });

  it("reports missing and corrupt records", async () => {
    const store = createBotRequestStore({ state, now });
    expect(await store.get("req-nothing")).toEqual({ kind: "missing" });
    await state.set(botRequestKey("req-bad-1"), { v: 1, id: "req-bad-1", status: "weird" });
    const loaded = await store.get("req-bad-1");
    expect(loaded.kind).toBe("corrupt");
    await state.set(botRequestFinalKey("req-bad-2"), 42);
    expect((await store.get("req-bad-2")).kind).toBe("corrupt");
  });

  it("gives the resume claim to one holder at a time, until released or expired", async () => {
    const store = createBotRequestStore({ state, now, claimTtlMs: 50 });
    const claim = await store.claim("req-claim-1");
    expect(claim).not.toBeNull();
    expect(await store.claim("req-claim-1")).toBeNull();
    if (claim) await store.release(claim);
    const again = await store.claim("req-claim-1");
    expect(again).not.toBeNull();
    // Its holder dies: nobody renews the claim any more, and it expires by its TTL.
    if (again) stopClaimRenewal(again);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(await store.claim("req-claim-1")).not.toBeNull();
  });

  it("renews a claim for as long as its holder lives, however short its TTL", async () => {
    const store = createBotRequestStore({ state, now, claimTtlMs: 60 });
    const claim = await store.claim("req-claim-2");
    expect(claim).not.toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await store.claim("req-claim-2")).toBeNull();
    if (claim) await store.release(claim);
    const next = await store.claim("req-claim-2");
    expect(next).not.toBeNull();
    if (next) await store.release(next);
  });

  it("applies the record TTL to live and final records", async () => {
    const store = createBotRequestStore({ state, now, recordTtlMs: 40 });
    const record = await store.create(newBotRequest({ id: "req-ttl-1" }));
    await store.finalize(record, { status: "completed" });
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(await store.get("req-ttl-1")).toEqual({ kind: "missing" });
  });
});
