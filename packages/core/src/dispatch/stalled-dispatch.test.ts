import { PROTOCOL_VERSION } from "@baton/agent-protocol";
import { FIXTURE_WORKSPACE } from "@baton/testing";
import { afterEach, describe, expect, it } from "vitest";
import { DISPATCH_CHECK_DELAY_MS, DISPATCH_LOCK_TTL_MS, mentionKey } from "../keys";
import { type FlowHarness, requestIdOf, startFlowHarness } from "../test-support/flow-harness";
import { createAgentClient } from "./agent-client";
import { acquireDispatchLock, releaseDispatchLock } from "./dispatch-lock";

const channel = FIXTURE_WORKSPACE.channel.id;
const MINUTE = 60_000;
/** Past the first dispatch check's bucket, whatever second the request was stored in. */
const AFTER_FIRST_CHECK = DISPATCH_CHECK_DELAY_MS + MINUTE + 1_000;

/** Thrown from the acknowledgement hook: the process "dies" right after the mention was stored. */
class SimulatedCrash extends Error {
  readonly code = "SIMULATED_CRASH";
}

describe("stored requests whose dispatch was lost", () => {
  let harness: FlowHarness | undefined;
  afterEach(async () => {
    await harness?.stop();
    harness = undefined;
  });

  /** A harness whose clock the test moves, and whose next `crashes` messages die once stored. */
  async function start(crashes: number, agentDelayMs = 60) {
    let offset = 0;
    let left = crashes;
    const h = await startFlowHarness({
      now: () => Date.now() + offset,
      agent: { demo: { delayMs: agentDelayMs, progressSteps: 0 } },
      hooks: {
        onAccepted(botRequestId) {
          if (left > 0 && botRequestId) {
            left--;
            throw new SimulatedCrash("killed after the acknowledgement");
          }
        },
      },
    });
    harness = h;
    const advance = (ms: number) => {
      offset += ms;
    };
    return { h, advance };
  }

  /** A mention whose handler died after storing it; resolves with its bot request id. */
  async function mentionThatDies(h: FlowHarness, text: string) {
    const delivery = await h.slack.mention({ channel, user: FIXTURE_WORKSPACE.human.id, text });
    expect(delivery.status).toBe(200);
    await h.settle().catch(() => undefined);
    const ts = delivery.ts ?? "";
    const id = await h.slack.waitFor(async () => {
      const stored = await h.state.get<string>(mentionKey("slack", ts));
      return stored && (await h.flows.deps.requests.get(stored)).kind === "found"
        ? stored
        : undefined;
    });
    return { ts, id };
  }

  const acceptedFor = (h: FlowHarness, id: string) =>
    h.agent.dispatches().filter((d) => d.botRequestId === id && d.outcome === "accepted");

  it("a mention acknowledged but never dispatched is dispatched by the sweeper, once", async () => {
    const { h, advance } = await start(1);
    const { ts, id } = await mentionThatDies(h, "answer me although my process died");
    expect(await h.flows.deps.requests.get(id)).toMatchObject({ record: { status: "queued" } });
    expect(h.agent.dispatches()).toEqual([]);

    // Before its check is due, nothing happens.
    expect(await h.flows.sweep()).toMatchObject({ kind: "swept", redispatched: 0 });
    advance(AFTER_FIRST_CHECK);
    expect(await h.flows.sweep()).toMatchObject({ kind: "swept", redispatched: 1 });
    await expect(h.finalRecord(id)).resolves.toMatchObject({ status: "completed" });
    const answers = h.slack.repliesIn(channel, ts).filter((m) => m.isBot);
    expect(answers.map((m) => m.text)).toEqual([expect.stringContaining("my process died")]);

    // Later sweeps leave it alone: one dispatch, one answer.
    advance(AFTER_FIRST_CHECK);
    expect(await h.flows.sweep()).toMatchObject({ kind: "swept", redispatched: 0 });
    expect(acceptedFor(h, id)).toHaveLength(1);
    expect(h.agent.dispatches()).toHaveLength(1);
  });

  it("one whose dispatch lock is held (being dispatched) is not dispatched twice", async () => {
    const { h, advance } = await start(1);
    const { id } = await mentionThatDies(h, "someone is dispatching me");
    // A live dispatcher holds its dispatch lock (its store step made it the thread's request).
    const held = await acquireDispatchLock(h.state, id);
    if (!held) throw new Error("the dead handler still holds the dispatch lock");
    const turn = { lock: held };

    advance(AFTER_FIRST_CHECK);
    expect(await h.flows.sweep()).toMatchObject({ kind: "swept", redispatched: 0 });
    expect(h.agent.dispatches()).toEqual([]);
    // Nor can anyone else take it meanwhile.
    expect(await acquireDispatchLock(h.state, id)).toBeNull();

    // The dispatcher dies: its lock lapses (released here, as the TTL would) and the next
    // check hands the request on.
    await releaseDispatchLock(h.state, turn.lock);
    advance(AFTER_FIRST_CHECK + DISPATCH_LOCK_TTL_MS);
    expect(await h.flows.sweep()).toMatchObject({ kind: "swept", redispatched: 1 });
    await expect(h.finalRecord(id)).resolves.toMatchObject({ status: "completed" });
    expect(acceptedFor(h, id)).toHaveLength(1);
  });

  it("a queued follow-up whose hand-off was lost is dispatched in the thread's session", async () => {
    const { h, advance } = await start(0);
    const first = await h.mention("[never] the first request");
    const firstId = requestIdOf(first.outcome);
    const followUp = await h.reply(first.ts, "and then this");
    expect(followUp.outcome.kind).toBe("queued");
    const followUpId = requestIdOf(followUp.outcome);

    // The instance finishing the first request records its outcome, then dies before handing
    // the thread on.
    const running = await h.flows.deps.requests.get(firstId);
    if (running.kind !== "found") throw new Error("first request missing");
    await h.flows.deps.requests.finalize(running.record, { status: "completed" });
    // The agent's run ends too (its late callback finds the request final: no hand-off).
    const cancelled = await createAgentClient({ baseUrl: h.agent.url }).cancel({
      protocolVersion: PROTOCOL_VERSION,
      botRequestId: firstId,
      ...(running.record.executionId ? { executionId: running.record.executionId } : {}),
      reason: "the run ends",
    });
    expect(cancelled.kind).toBe("accepted");
    await h.agent.whenIdle();
    expect(acceptedFor(h, followUpId)).toEqual([]);

    advance(AFTER_FIRST_CHECK);
    expect(await h.flows.sweep()).toMatchObject({ kind: "swept", redispatched: 1 });
    await expect(h.finalRecord(followUpId)).resolves.toMatchObject({ status: "completed" });
    const sent = acceptedFor(h, followUpId);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.sessionId).toBe(running.record.agentSessionId);
    expect(
      h.slack
        .repliesIn(channel, first.ts)
        .filter((m) => m.isBot)
        .map((m) => m.text),
    ).toEqual([expect.stringContaining("pick this up"), expect.stringContaining("and then this")]);
  });

  it("a follow-up still waiting behind a running request is left waiting", async () => {
    const { h, advance } = await start(0);
    const first = await h.mention("[never] a long first request");
    const followUp = await h.reply(first.ts, "after that one");
    const followUpId = requestIdOf(followUp.outcome);

    for (let i = 0; i < 3; i++) {
      advance(AFTER_FIRST_CHECK);
      expect(await h.flows.sweep()).toMatchObject({ kind: "swept", redispatched: 0 });
    }
    expect(acceptedFor(h, followUpId)).toEqual([]);
    expect(await h.flows.deps.requests.get(followUpId)).toMatchObject({
      record: { status: "queued" },
    });
  });
});
