import { createMemoryState } from "@chat-adapter/state-memory";
import type { StateAdapter } from "chat";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type BotRequestStore, createBotRequestStore } from "../request/bot-request-store";
import { newBotRequest } from "../test-support/bot-request-fixtures";
import { acquireDispatchLock, releaseDispatchLock } from "./dispatch-lock";
import { createThreadQueue, type ThreadQueue } from "./thread-queue";

const THREAD = "slack:C0GENERAL1:1700000000.000100";

describe("thread queue", () => {
  let state: StateAdapter;
  let requests: BotRequestStore;
  let queue: ThreadQueue;
  beforeEach(async () => {
    state = createMemoryState();
    await state.connect();
    requests = createBotRequestStore({ state });
    queue = createThreadQueue(state, requests);
  });
  afterEach(async () => {
    await state.disconnect();
  });

  const stored = async () => (await requests.create(newBotRequest(), "queued")).id;

  it("admits one request per thread, with its dispatch lock; later ones queue", async () => {
    const [first, second] = [await stored(), await stored()];
    const admitted = await queue.admit(THREAD, first);
    expect(admitted).toMatchObject({ kind: "run", botRequestId: first });
    expect(await acquireDispatchLock(state, first)).toBeNull();
    expect(await queue.admit(THREAD, second)).toEqual({ kind: "queued" });
    // Admitting the active request again (a sweeper got there first) dispatches nothing.
    expect(await queue.admit(THREAD, first)).toEqual({ kind: "taken" });
  });

  it("repairs an idle thread: the queue's head first, a request never admitted after it", async () => {
    const running = await stored();
    const head = await stored();
    const neverAdmitted = await stored();
    const turn = await queue.admit(THREAD, running);
    if (turn.kind !== "run") throw new Error(turn.kind);
    await queue.admit(THREAD, head);
    // The running request ends, and whoever ended it dies before handing the thread on.
    const record = await requests.get(running);
    if (record.kind !== "found") throw new Error(record.kind);
    await requests.finalize(record.record, { status: "completed" });
    await releaseDispatchLock(state, turn.lock);

    const repaired = await queue.repair(THREAD, neverAdmitted);
    expect(repaired).toMatchObject({ kind: "run", botRequestId: head });
    if (repaired.kind !== "run") throw new Error(repaired.kind);
    const headRecord = await requests.get(head);
    if (headRecord.kind !== "found") throw new Error(headRecord.kind);
    await requests.finalize(headRecord.record, { status: "completed" });
    await releaseDispatchLock(state, repaired.lock);
    // The request that was never admitted joined the queue behind the head.
    expect(await queue.next(THREAD, head)).toMatchObject({ botRequestId: neverAdmitted });
  });

  it("repairs the active request only when its dispatch lock is free", async () => {
    const active = await stored();
    const turn = await queue.admit(THREAD, active);
    if (turn.kind !== "run") throw new Error(turn.kind);
    expect(await queue.repair(THREAD, active)).toEqual({ kind: "busy" });
    await releaseDispatchLock(state, turn.lock);
    expect(await queue.repair(THREAD, active)).toMatchObject({ kind: "run", botRequestId: active });
  });

  it("leaves a request queued behind an unfinished one waiting", async () => {
    const [running, waiting] = [await stored(), await stored()];
    await queue.admit(THREAD, running);
    await queue.admit(THREAD, waiting);
    expect(await queue.repair(THREAD, waiting)).toEqual({ kind: "waiting" });
  });
});
