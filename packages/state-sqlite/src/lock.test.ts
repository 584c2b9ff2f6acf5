import { describe, expect, it } from "vitest";
import { useTestState } from "./test-support/temp-db";

const setup = useTestState();

describe("locks", () => {
  it("acquires a free lock and refuses a held one", async () => {
    const { state, clock } = await setup();
    const lock = await state.acquireLock("t", 1_000);
    expect(lock).toEqual({
      threadId: "t",
      token: expect.any(String),
      expiresAt: clock.now() + 1_000,
    });
    expect(await state.acquireLock("t", 1_000)).toBeNull();
    expect(await state.acquireLock("other", 1_000)).not.toBeNull();
  });

  it("issues unguessable tokens (128 random bits, never repeated)", async () => {
    const { state } = await setup();
    const tokens = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const lock = await state.acquireLock(`t${i}`, 1_000);
      tokens.add(lock?.token ?? "");
    }
    expect(tokens.size).toBe(500);
    for (const token of tokens) expect(token).toMatch(/^sqlite_[A-Za-z0-9_-]{22}$/);
  });

  it("can be taken over once expired, and the old token then releases nothing", async () => {
    const { state, clock } = await setup();
    const first = await state.acquireLock("t", 1_000);
    clock.advance(1_000);
    const second = await state.acquireLock("t", 1_000);
    expect(second).not.toBeNull();
    expect(second?.token).not.toBe(first?.token);
    if (first) await state.releaseLock(first);
    expect(await state.acquireLock("t", 1_000)).toBeNull();
  });

  it("releases only with the matching token", async () => {
    const { state } = await setup();
    const lock = await state.acquireLock("t", 1_000);
    if (!lock) throw new Error("expected a lock");
    await state.releaseLock({ ...lock, token: "sqlite_forged" });
    expect(await state.acquireLock("t", 1_000)).toBeNull();
    await state.releaseLock(lock);
    expect(await state.acquireLock("t", 1_000)).not.toBeNull();
  });

  it("extends a held lock from now, so it outlives its first TTL", async () => {
    const { state, clock } = await setup();
    const lock = await state.acquireLock("t", 1_000);
    if (!lock) throw new Error("expected a lock");
    clock.advance(900);
    expect(await state.extendLock(lock, 1_000)).toBe(true);
    clock.advance(999);
    expect(await state.acquireLock("t", 1_000)).toBeNull();
    clock.advance(1);
    expect(await state.acquireLock("t", 1_000)).not.toBeNull();
  });

  it("never extends with a wrong token, after expiry, release or force release", async () => {
    const { state, clock } = await setup();
    const lock = await state.acquireLock("t", 1_000);
    if (!lock) throw new Error("expected a lock");
    expect(await state.extendLock({ ...lock, token: "sqlite_forged" }, 1_000)).toBe(false);

    clock.advance(1_000);
    expect(await state.extendLock(lock, 1_000)).toBe(false);
    // Not resurrected: the lock is free for anyone.
    const next = await state.acquireLock("t", 1_000);
    if (!next) throw new Error("expected a lock");
    await state.releaseLock(next);
    expect(await state.extendLock(next, 1_000)).toBe(false);

    const forced = await state.acquireLock("t", 1_000);
    if (!forced) throw new Error("expected a lock");
    await state.forceReleaseLock("t");
    expect(await state.extendLock(forced, 1_000)).toBe(false);
    expect(await state.acquireLock("t", 1_000)).not.toBeNull();
  });

  it("never creates a lock by extending one that was never acquired", async () => {
    const { state, clock } = await setup();
    const phantom = { threadId: "t", token: "sqlite_x", expiresAt: clock.now() + 1_000 };
    expect(await state.extendLock(phantom, 1_000)).toBe(false);
    expect(await state.acquireLock("t", 1_000)).not.toBeNull();
  });

  it("force-releases regardless of token; the old holder's release is then a no-op", async () => {
    const { state } = await setup();
    const old = await state.acquireLock("t", 60_000);
    if (!old) throw new Error("expected a lock");
    await state.forceReleaseLock("t");
    await state.forceReleaseLock("never-locked");
    const current = await state.acquireLock("t", 60_000);
    expect(current).not.toBeNull();
    await state.releaseLock(old);
    expect(await state.acquireLock("t", 60_000)).toBeNull();
  });

  it("rejects a TTL that is not positive", async () => {
    const { state } = await setup();
    await expect(state.acquireLock("t", 0)).rejects.toMatchObject({ code: "INVALID_TTL" });
    const lock = await state.acquireLock("t", 1_000);
    if (!lock) throw new Error("expected a lock");
    await expect(state.extendLock(lock, -1)).rejects.toMatchObject({ code: "INVALID_TTL" });
  });
});
