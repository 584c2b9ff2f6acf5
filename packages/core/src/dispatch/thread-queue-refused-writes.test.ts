import { createMemoryState } from "@chat-adapter/state-memory";
import type { StateAdapter } from "chat";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { StateUnavailableError } from "../errors";
import { DISPATCH_LOCK_TTL_MS, threadActiveKey, threadLockId } from "../keys";
import { type BotRequestStore, createBotRequestStore } from "../request/bot-request-store";
import { newBotRequest } from "../test-support/bot-request-fixtures";
import { acquireDispatchLock, releaseDispatchLock } from "./dispatch-lock";
import { createThreadQueue, type ThreadQueue } from "./thread-queue";

const THREAD = "slack:C0GENERAL1:1700000000.000200";

type Method = "set" | "releaseLock";

/**
 * The store refuses one call the way Redis with replica acks does across a failover: the write
 * is applied on the primary (or not, when the connection is gone) and the caller gets
 * StateUnavailableError all the same. Everything else goes to the real adapter.
 */
function refuseOnce(
  inner: StateAdapter,
  method: Method,
  matches: (first: unknown) => boolean,
  options: { applied: boolean },
): StateAdapter {
  let refused = false;
  return new Proxy(inner, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (property !== method || typeof value !== "function") {
        return typeof value === "function" ? value.bind(target) : value;
      }
      const call = value as (...args: unknown[]) => Promise<unknown>;
      return async (...args: unknown[]) => {
        if (refused || !matches(args[0])) return call.apply(target, args);
        refused = true;
        if (options.applied) await call.apply(target, args);
        throw new StateUnavailableError("redis", method, new Error("REPLICA_ACKS_MISSING"));
      };
    },
  });
}

async function eventually<T>(check: () => Promise<T | null | undefined>): Promise<T> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const value = await check();
    if (value !== null && value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error("never happened");
}

describe("thread queue when the store refuses a write it may have applied", () => {
  let memory: StateAdapter;
  let requests: BotRequestStore;
  beforeEach(async () => {
    memory = createMemoryState();
    await memory.connect();
    requests = createBotRequestStore({ state: memory });
  });
  afterEach(async () => {
    await memory.disconnect();
  });

  const stored = async () => (await requests.create(newBotRequest(), "queued")).id;

  it("gives the dispatch lock back when making the request active fails, so the sweeper's repair runs it", async () => {
    const id = await stored();
    const state = refuseOnce(memory, "set", (key) => key === threadActiveKey(THREAD), {
      applied: true,
    });
    const queue: ThreadQueue = createThreadQueue(state, createBotRequestStore({ state }));
    await expect(queue.admit(THREAD, id)).rejects.toBeInstanceOf(StateUnavailableError);

    // The lock is free again: nobody holds (and renews) a turn that the caller never got.
    const lock = await eventually(() => acquireDispatchLock(memory, id));
    await releaseDispatchLock(memory, lock);
    // So the dispatch check finds the request, active as far as the store knows, and runs it.
    const repaired = await queue.repair(THREAD, id);
    expect(repaired).toMatchObject({ kind: "run", botRequestId: id });
    if (repaired.kind === "run") await queue.release(repaired);
  });

  it("a refused admission holds no turn: the thread is free at once, the request's lock by its TTL", async () => {
    const [first, second] = [await stored(), await stored()];
    // The admission's last op, giving the thread lock back, is refused: on Redis the whole
    // admission script is refused alike when its writes miss their replica ack.
    const state = refuseOnce(
      memory,
      "releaseLock",
      (lock) => (lock as { threadId?: string }).threadId === threadLockId(THREAD),
      { applied: false },
    );
    const queue = createThreadQueue(state, createBotRequestStore({ state }));
    await expect(queue.admit(THREAD, first)).rejects.toBeInstanceOf(StateUnavailableError);
    // The thread lock is given back: the next message is admitted (queued behind the first,
    // which the store holds as active), not refused as "thread stayed locked".
    expect(await queue.admit(THREAD, second)).toEqual({ kind: "queued" });
    // Nobody renews the first request's dispatch lock, so the dispatch check runs it once the
    // lock's TTL has passed (not minutes later).
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      vi.setSystemTime(Date.now() + DISPATCH_LOCK_TTL_MS + 1);
      const repaired = await queue.repair(THREAD, first);
      expect(repaired).toMatchObject({ kind: "run", botRequestId: first });
      if (repaired.kind === "run") await queue.release(repaired);
    } finally {
      vi.useRealTimers();
    }
  });
});
