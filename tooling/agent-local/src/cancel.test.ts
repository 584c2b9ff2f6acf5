import type { DispatchAccepted } from "@baton/agent-protocol";
import { describe, expect, it } from "vitest";
import { startHarness } from "./test-support/harness";

describe("cancel", () => {
  it("aborts the running execution and ends it with a cancelled callback", async () => {
    let aborted = false;
    const h = await startHarness({
      executor: {
        name: "waiting",
        run: (_request, context) =>
          new Promise((_, reject) => {
            context.progress("started");
            context.signal.addEventListener("abort", () => {
              aborted = true;
              reject(context.signal.reason);
            });
          }),
      },
    });
    const request = h.build();
    const { executionId } = (await h.dispatch(request)).body as DispatchAccepted;

    const reply = await h.cancel(request.botRequestId, {
      executionId,
      reason: "Cancelled from Slack",
    });
    expect(reply).toMatchObject({ status: 202, body: { accepted: true, state: "cancelling" } });
    const terminal = await h.receiver.waitForTerminal(request.botRequestId);
    expect(terminal).toMatchObject({
      type: "cancelled",
      reason: "Cancelled from Slack",
      executionId,
    });
    expect(aborted).toBe(true);

    await h.agent.whenIdle();
    const callbacks = h.receiver.callbacks(request.botRequestId);
    expect(callbacks.map((c) => c.type)).toEqual(["progress", "cancelled"]);
    expect(callbacks.map((c) => c.sequence)).toEqual([1, 2]);

    const again = await h.cancel(request.botRequestId);
    expect(again).toMatchObject({ status: 202, body: { state: "already_finished" } });
    expect(h.agent.cancels().map((c) => c.state)).toEqual(["cancelling", "already_finished"]);
  });

  it("cancels by botRequestId alone, even an executor that ignores the signal ([never])", async () => {
    const h = await startHarness();
    const request = h.build({ prompt: "[never]" });
    await h.dispatch(request);
    const reply = await h.cancel(request.botRequestId);
    expect(reply.body).toEqual({ accepted: true, state: "cancelling" });
    const terminal = await h.receiver.waitForTerminal(request.botRequestId);
    expect(terminal.type).toBe("cancelled");
    expect(terminal).not.toHaveProperty("reason");
  });

  it("answers already_finished after the work ended, and execution_not_found for unknown work", async () => {
    const h = await startHarness({ demo: { delayMs: 0, progressSteps: 0 } });
    const request = h.build();
    const { executionId } = (await h.dispatch(request)).body as DispatchAccepted;
    await h.receiver.waitForTerminal(request.botRequestId);

    const finished = await h.cancel(request.botRequestId, { executionId });
    expect(finished).toMatchObject({
      status: 202,
      body: { accepted: true, state: "already_finished" },
    });
    expect(h.receiver.callbacks(request.botRequestId).map((c) => c.type)).toEqual(["completed"]);

    const unknown = await h.cancel("req_unknown");
    expect(unknown).toMatchObject({
      status: 404,
      body: { error: { code: "execution_not_found" } },
    });
    const wrongExecution = await h.cancel(request.botRequestId, { executionId: "exec_other" });
    expect(wrongExecution).toMatchObject({
      status: 404,
      body: { error: { code: "execution_not_found" } },
    });
    const invalid = await h.cancel("not a valid id!");
    expect(invalid).toMatchObject({ status: 400, body: { error: { code: "invalid_request" } } });
  });
});
