import type { DispatchAccepted } from "@baton/agent-protocol";
import { describe, expect, it } from "vitest";
import type { ExecutorContext } from "./executor";
import { startHarness } from "./test-support/harness";

describe("sessions", () => {
  it("continues a session: the executor sees the earlier turns", async () => {
    const seen: ExecutorContext["session"][] = [];
    const h = await startHarness({
      executor: {
        name: "recording",
        async run(request, context) {
          seen.push(structuredClone(context.session));
          return { text: `answer to ${request.prompt}` };
        },
      },
    });
    const first = h.build({ prompt: "first question" });
    const accepted = (await h.dispatch(first)).body as DispatchAccepted;
    await h.receiver.waitForTerminal(first.botRequestId);

    const followUp = h.build({ prompt: "second question", sessionId: accepted.agentSessionId });
    const reply = await h.dispatch(followUp);
    expect(reply.status).toBe(202);
    expect((reply.body as DispatchAccepted).agentSessionId).toBe(accepted.agentSessionId);
    expect((reply.body as DispatchAccepted).executionId).not.toBe(accepted.executionId);
    await h.receiver.waitForTerminal(followUp.botRequestId);

    expect(seen[1]).toMatchObject({ id: accepted.agentSessionId, turn: 2 });
    expect(seen[1]?.priorTurns).toMatchObject([
      {
        number: 1,
        prompt: "first question",
        status: "completed",
        answer: "answer to first question",
      },
    ]);
    expect(h.agent.sessions()).toEqual([{ id: accepted.agentSessionId, turns: 2, running: false }]);
    expect(h.agent.dispatches().map((d) => d.sessionId)).toEqual([
      undefined,
      accepted.agentSessionId,
    ]);
  });

  it("mentions the turn number in the demo answer", async () => {
    const h = await startHarness({ demo: { delayMs: 0, progressSteps: 0 } });
    const first = h.build();
    const { agentSessionId } = (await h.dispatch(first)).body as DispatchAccepted;
    await h.receiver.waitForTerminal(first.botRequestId);
    const second = h.build({ sessionId: agentSessionId, prompt: "and now?" });
    await h.dispatch(second);
    const terminal = await h.receiver.waitForTerminal(second.botRequestId);
    expect(terminal.type === "completed" && terminal.text).toContain(
      `turn 2 of session \`${agentSessionId}\``,
    );
    expect(terminal.type === "completed" && terminal.text).toContain(
      "Earlier turns in this session: 1",
    );
  });

  it("answers session_not_found for an unknown or forgotten session", async () => {
    const h = await startHarness({ demo: { delayMs: 0, progressSteps: 0 } });
    const unknown = await h.dispatch(h.build({ sessionId: "sess_nobody" }));
    expect(unknown).toMatchObject({ status: 404, body: { error: { code: "session_not_found" } } });

    const first = h.build();
    const { agentSessionId } = (await h.dispatch(first)).body as DispatchAccepted;
    await h.receiver.waitForTerminal(first.botRequestId);
    h.agent.forgetSessions();
    expect(h.agent.sessions()).toEqual([]);

    const followUp = h.build({ sessionId: agentSessionId });
    const reply = await h.dispatch(followUp);
    expect(reply).toMatchObject({ status: 404, body: { error: { code: "session_not_found" } } });
    expect(h.receiver.attempts(followUp.botRequestId)).toEqual([]);
  });

  it("refuses a follow-up while the session is still running (session_busy)", async () => {
    const h = await startHarness();
    const first = h.build({ prompt: "[never]" });
    const { agentSessionId } = (await h.dispatch(first)).body as DispatchAccepted;
    const busy = await h.dispatch(h.build({ sessionId: agentSessionId }));
    expect(busy).toMatchObject({ status: 409, body: { error: { code: "session_busy" } } });

    await h.cancel(first.botRequestId);
    await h.receiver.waitForTerminal(first.botRequestId);
    const later = await h.dispatch(h.build({ sessionId: agentSessionId }));
    expect(later.status).toBe(202);
  });
});
