import { FIXTURE_WORKSPACE } from "@baton/testing";
import { ConsoleLogger } from "chat";
import { afterEach, describe, expect, it } from "vitest";
import { IN_REQUEST_PLATFORM_BUDGET } from "../platform/platform-calls";
import { type FlowHarness, requestIdOf, startFlowHarness } from "../test-support/flow-harness";
import {
  OPERATOR_FINALISED_CODE,
  OPERATOR_FINALISED_NOTICE,
  type OperatorActionDeps,
  runOperatorAction,
} from "./operator-actions";
import { createOperatorAudit } from "./operator-audit";
import { findRequests, listRequests } from "./request-overview";
import { requestTimeline } from "./request-timeline";

const channel = FIXTURE_WORKSPACE.channel.id;
const actor = "console:203.0.113.7";

describe("the operator console's core", () => {
  let harness: FlowHarness | undefined;
  afterEach(async () => {
    await harness?.stop();
    harness = undefined;
  });

  const operatorDeps = (h: FlowHarness): OperatorActionDeps => ({
    ...h.flows.deps,
    audit: createOperatorAudit(h.state, new ConsoleLogger("silent")),
  });

  it("lists a stuck request, finalises it once, tells the user, and audits every action", async () => {
    harness = await startFlowHarness();
    const { ts, outcome } = await harness.mention(
      "[never] migrate `pnpm -r --filter ./packages/** build --frozen-lockfile` — vite → rolldown",
    );
    const id = requestIdOf(outcome);
    const deps = operatorDeps(harness);

    const listed = await listRequests(deps);
    expect(listed.map((s) => [s.record.id, s.state, s.stuck])).toEqual([[id, "running", false]]);
    const threadId = listed[0]?.record.threadId ?? "";
    expect((await findRequests(deps, id)).map((s) => s.record.id)).toEqual([id]);
    expect((await findRequests(deps, threadId)).map((s) => s.record.id)).toEqual([id]);
    expect(await findRequests(deps, "no-such-thread")).toEqual([]);

    // Nothing to deliver: refused, nothing changed.
    expect(
      await runOperatorAction(deps, { action: "retry-delivery", botRequestId: id, actor }),
    ).toEqual({
      kind: "refused",
      code: "no-stored-reply",
    });
    expect(await runOperatorAction(deps, { action: "finalise", botRequestId: id, actor })).toEqual({
      kind: "done",
      code: "finalised-user-told",
    });
    // A second operator clicking at the same time changes nothing.
    expect(await runOperatorAction(deps, { action: "finalise", botRequestId: id, actor })).toEqual({
      kind: "refused",
      code: "already-final",
    });

    const record = await harness.finalRecord(id);
    expect(record).toMatchObject({ status: "error", error: { code: OPERATOR_FINALISED_CODE } });
    const bot = harness.slack.repliesIn(channel, ts).filter((m) => m.isBot);
    expect(bot.map((m) => m.text)).toEqual([OPERATOR_FINALISED_NOTICE]);
    expect(await deps.messageStates.load(id)).toEqual({ kind: "missing" });

    const audit = await deps.audit.recent();
    expect(audit.map((e) => [e.action, e.result])).toEqual([
      ["finalise", "refused:already-final"],
      ["finalise", "done:finalised-user-told"],
      ["retry-delivery", "refused:no-stored-reply"],
    ]);
    const timeline = await requestTimeline(deps, id);
    if (timeline.kind !== "found") throw new Error(`timeline ${timeline.kind}`);
    const steps = timeline.entries.map((e) => e.step);
    expect(steps.slice(0, 3)).toEqual(["received", "stored", "dispatched"]);
    expect(steps.filter((step) => step === "operator")).toHaveLength(3);
    const times = timeline.entries.flatMap((e) => (e.at === undefined ? [] : [e.at]));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(timeline.entries.find((e) => e.step === "finalised")?.detail).toBe(
      `error (${OPERATOR_FINALISED_CODE})`,
    );
    expect((await listRequests(deps)).map((s) => s.state)).toEqual(["errored"]);
  });

  it("shows each callback with its code on the timeline of a request that completed", async () => {
    harness = await startFlowHarness({ agent: { demo: { delayMs: 30, progressSteps: 2 } } });
    const { outcome } = await harness.mention("summarise **the** incident, s'il vous plaît");
    const id = requestIdOf(outcome);
    await harness.finalRecord(id);
    await harness.agent.whenIdle();
    const deps = operatorDeps(harness);
    // Each callback's entry is written beside its answer, not before it: wait for all of them.
    const delivered = harness.agent.deliveries().filter((d) => d.botRequestId === id).length;
    const callbacksOf = async () => {
      const read = await requestTimeline(deps, id);
      if (read.kind !== "found") throw new Error(`timeline ${read.kind}`);
      return { read, callbacks: read.entries.filter((e) => e.step === "callback") };
    };
    await harness.slack.waitFor(async () => (await callbacksOf()).callbacks.length >= delivered);
    const { read: timeline, callbacks } = await callbacksOf();
    const codes = callbacks.map((e) => e.detail);
    expect(codes.filter((code) => code.startsWith("200 progress-")).length).toBeGreaterThan(0);
    expect(codes).toContain("200 posted");
    expect(codes.every((code) => /^200 /.test(code))).toBe(true);
    expect(timeline.entries.map((e) => e.step).slice(-2)).toEqual(["posted", "finalised"]);
    expect(timeline.summary.state).toBe("finished");
  });

  it("retries the delivery of a stored reply the agent gave up on", async () => {
    harness = await startFlowHarness({
      agent: {
        demo: { delayMs: 30, progressSteps: 0 },
        retry: { maxAttempts: 1, baseDelayMs: 10 },
      },
    });
    harness.slack.injectFault("chat.postMessage", {
      status: 503,
      times: IN_REQUEST_PLATFORM_BUDGET.maxAttempts,
    });
    const { ts, outcome } = await harness.mention("answer me once Slack is back — ça marche?");
    const id = requestIdOf(outcome);
    await harness.slack.waitFor(() =>
      harness?.agent.deliveries().find((d) => d.botRequestId === id && d.type === "completed"),
    );
    const deps = operatorDeps(harness);
    const before = await requestTimeline(deps, id);
    expect(before).toMatchObject({ kind: "found", replyPending: true });

    expect(
      await runOperatorAction(deps, { action: "retry-delivery", botRequestId: id, actor }),
    ).toEqual({
      kind: "done",
      code: "posted",
    });
    expect(harness.slack.repliesIn(channel, ts).filter((m) => m.isBot)).toHaveLength(1);
    await expect(harness.finalRecord(id)).resolves.toMatchObject({ status: "completed" });
  });

  it("re-dispatches a running request whose agent lost it", async () => {
    harness = await startFlowHarness();
    const { outcome } = await harness.mention("[never] rebuild the index");
    const id = requestIdOf(outcome);
    const deps = operatorDeps(harness);
    const dispatchesOf = () =>
      harness?.agent.dispatches().filter((d) => d.botRequestId === id) ?? [];
    expect(dispatchesOf()).toHaveLength(1);

    expect(
      await runOperatorAction(deps, { action: "redispatch", botRequestId: id, actor }),
    ).toEqual({
      kind: "done",
      code: "dispatched",
    });
    expect(dispatchesOf()).toHaveLength(2);
    const load = await deps.requests.get(id);
    expect(load).toMatchObject({ kind: "found", record: { status: "running" } });
    await runOperatorAction(deps, { action: "finalise", botRequestId: id, actor });
    expect(
      await runOperatorAction(deps, { action: "redispatch", botRequestId: id, actor }),
    ).toEqual({
      kind: "refused",
      code: "already-final",
    });
  });
});
