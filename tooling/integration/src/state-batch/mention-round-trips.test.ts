import { createCallbackVerifier } from "@baton/agent-protocol";
import {
  type AgentClient,
  createBatonFlows,
  dispatchLockId,
  mentionKey,
  threadActiveKey,
  threadQueueKey,
  threadSessionKey,
} from "@baton/core";
import type { SlackEmulator } from "@baton/slack-emulator";
import {
  countStateCalls,
  createFixtureSlackEmulator,
  createSlackTestBot,
  FIXTURE_WORKSPACE,
  parseMentionEnvelope,
  SAMPLE_MENTIONS,
} from "@baton/testing";
import { ConsoleLogger, type StateAdapter } from "chat";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, type TestBackend } from "../support/backends";
import { openBatched } from "./open-batched";

const SERVER_SECRET = "integration-server-secret-0123456789abcdef0123";

/**
 * A mention's store steps, up to the dispatch and after it, on backends with batches: the thread
 * lock with every read (one call), the request stored and admitted (one call), the dispatch; then
 * the session, the running record and the lock given back (one call). On a backend without
 * batches the same steps are plain calls with the same outcome. Counts, not timings.
 */
describe.each(BACKENDS)("mention store steps on $name", ({ name, start }) => {
  let backend: TestBackend;
  let slack: SlackEmulator;
  let state: StateAdapter;

  beforeAll(async () => {
    backend = await start();
    slack = createFixtureSlackEmulator();
    await slack.start();
    state = await openBatched(backend.spec);
  });
  afterAll(async () => {
    await state?.disconnect();
    await slack?.stop();
    await backend?.stop();
  });

  /** Baton's flows on the counted state; the agent accepts at once and notes the calls so far. */
  function startFlows() {
    const counter = countStateCalls(state);
    const atDispatch: Record<string, number>[] = [];
    const agent: AgentClient = {
      dispatch: async (request) => {
        atDispatch.push(counter.counts());
        const id = request.botRequestId;
        return {
          kind: "accepted",
          value: { agentSessionId: `sess_${id}`, executionId: `exec_${id}` },
          attempts: 1,
        };
      },
      cancel: async () => ({ kind: "accepted", value: { state: "cancelling" }, attempts: 1 }),
    };
    const bot = createSlackTestBot({ apiUrl: slack.apiUrl, state: counter.state });
    const flows = createBatonFlows({
      state: counter.state,
      chat: bot.chat,
      agent,
      verifier: createCallbackVerifier({ serverSecrets: [SERVER_SECRET], now: Date.now }),
      callbackBaseUrl: "http://127.0.0.1:3000/api/internal/bot-session-callback",
      reporter: {
        report: (error) => {
          throw error;
        },
      },
      logger: new ConsoleLogger("error"),
    });
    return { counter, atDispatch, bot, flows };
  }

  const input = SAMPLE_MENTIONS.find((m) => m.name === "long-markdown")?.input;
  if (!input) throw new Error("no long-markdown sample");
  const mentionIn = (threadTs?: string) =>
    slack.composeMention({
      channel: FIXTURE_WORKSPACE.channel.id,
      user: FIXTURE_WORKSPACE.human.id,
      ...input,
      ...(threadTs ? { threadTs } : {}),
    }).envelope;

  it("stores and admits in two calls before the dispatch, and records it running in one more", async () => {
    const { counter, atDispatch, bot, flows } = startFlows();
    const { message, thread } = parseMentionEnvelope(bot, mentionIn());
    const outcome = await flows.onMention(thread, message);
    expect(outcome.kind).toBe("dispatched");
    if (outcome.kind !== "dispatched") return;
    const id = outcome.botRequestId;
    if (name === "postgres") {
      // No batches: the lock, three reads, then one write each, then three more after.
      expect(atDispatch).toEqual([
        {
          acquireLock: 2,
          get: 3,
          setIfNotExists: 1,
          subscribe: 1,
          set: 3,
          appendToList: 1,
          releaseLock: 1,
        },
      ]);
      expect(counter.total()).toBe(15);
    } else {
      expect(atDispatch).toEqual([{ runBatch: 2 }]);
      expect(counter.counts()).toEqual({ runBatch: 3 });
    }

    // Everything a mention stores, whichever path stored it.
    expect(await state.get(mentionKey("slack", message.id))).toBe(id);
    expect(await state.isSubscribed(thread.id)).toBe(true);
    expect(await state.get(threadActiveKey(thread.id))).toBe(id);
    expect(await state.get(threadSessionKey(thread.id))).toMatchObject({
      agentSessionId: `sess_${id}`,
    });
    const record = await flows.deps.requests.get(id);
    expect(record).toMatchObject({
      kind: "found",
      record: { status: "running", executionId: `exec_${id}`, messageId: message.id },
    });
    expect((await flows.deps.messageStates.load(id)).kind).toBe("found");
    // The dispatch lock was given back with the last writes.
    const lock = await state.acquireLock(dispatchLockId(id), 5_000);
    expect(lock).not.toBeNull();
    if (lock) await state.releaseLock(lock);
  });

  it("queues a follow-up behind the running request, and a redelivery stores nothing more", async () => {
    const { counter, atDispatch, bot, flows } = startFlows();
    const first = parseMentionEnvelope(bot, mentionIn());
    const running = await flows.onMention(first.thread, first.message);
    expect(running.kind).toBe("dispatched");

    counter.reset();
    const followUp = parseMentionEnvelope(bot, mentionIn(first.message.id));
    expect(followUp.thread.id).toBe(first.thread.id);
    const queued = await flows.onMention(followUp.thread, followUp.message);
    expect(queued.kind).toBe("queued");
    if (queued.kind !== "queued") return;
    if (name !== "postgres") {
      // The thread's running request is read (its two records) before deciding to queue.
      expect(counter.counts()).toEqual({ runBatch: 2, get: 2 });
    }
    expect(await state.getList(threadQueueKey(first.thread.id))).toEqual([queued.botRequestId]);

    // The same message again (a platform retry): the request it was filed under, nothing new.
    counter.reset();
    const again = await flows.onMention(followUp.thread, followUp.message);
    expect(again).toEqual({ kind: "duplicate", botRequestId: queued.botRequestId });
    expect(await state.getList(threadQueueKey(first.thread.id))).toEqual([queued.botRequestId]);
    expect(atDispatch).toHaveLength(1);
    // The thread lock was given back each time: a third message is admitted at once.
    const third = parseMentionEnvelope(bot, mentionIn(first.message.id));
    expect((await flows.onMention(third.thread, third.message)).kind).toBe("queued");
  });
});
