import type { RecordedDispatchRequest as DispatchRequest } from "@baton/agent-local";
import {
  codeFenceLanguages,
  FIXTURE_WORKSPACE,
  REALISTIC_REQUESTS,
  type RealisticRequest,
  realisticRequestProblems,
} from "@baton/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FlowHarness, requestIdOf, startFlowHarness } from "../test-support/flow-harness";

function dispatchedRequest(h: FlowHarness, botRequestId: string): DispatchRequest {
  const sent = h.agent
    .dispatches()
    .find((d) => d.botRequestId === botRequestId && d.outcome === "accepted")?.request;
  if (!sent) throw new Error(`no accepted dispatch for ${botRequestId}`);
  return sent;
}

function expectIntact(sent: DispatchRequest, request: RealisticRequest) {
  expect(realisticRequestProblems(request, sent)).toEqual([]);
}

describe("realistic requests reach the agent whole, as Markdown", () => {
  let harness: FlowHarness;
  beforeAll(async () => {
    harness = await startFlowHarness({
      agent: { demo: { delayMs: 10, slowDelayMs: 1_500, progressSteps: 0 } },
    });
  });
  afterAll(() => harness.stop());

  for (const request of REALISTIC_REQUESTS) {
    it(`dispatches "${request.name}" with its text intact`, async () => {
      const { outcome } = await harness.mention(request.text);
      expect(outcome.kind).toBe("dispatched");
      expectIntact(dispatchedRequest(harness, requestIdOf(outcome)), request);
      await harness.finalRecord(requestIdOf(outcome));
    });
  }

  it("carries earlier turns as Markdown, and a queued follow-up's mentions with their ids", async () => {
    const h = harness;
    const fenced = REALISTIC_REQUESTS.find((r) => r.name === "fenced-bash-with-language");
    const mentioning = REALISTIC_REQUESTS.find((r) => r.name === "kubectl-bullets-and-quote");
    if (!fenced || !mentioning) throw new Error("corpus entries renamed");
    const first = await h.mention(`[slow] ${fenced.text}`);
    // Arrives while the first runs: stored, queued, dispatched later from the stored state.
    const second = await h.reply(first.ts, mentioning.text);
    expect(second.outcome.kind).toBe("queued");
    await h.finalRecord(requestIdOf(first.outcome));
    await h.finalRecord(requestIdOf(second.outcome));
    const sent = dispatchedRequest(h, requestIdOf(second.outcome));
    expectIntact(sent, mentioning);
    const original = sent.context.history[0];
    expect(original?.role).toBe("user");
    expect(original?.text).toContain(fenced.expect.fragments[0]);
    expect(codeFenceLanguages(original?.text ?? "")).toEqual(["bash"]);
  });

  it("refuses an unknown option in the leading block with the clear reply, dispatching nothing", async () => {
    const h = harness;
    const before = h.agent.dispatches().length;
    const refused = await h.mention("--frozen-lockfile why does `pnpm install` fail?");
    expect(refused.outcome).toEqual({
      kind: "refused-options",
      problems: ["Unknown option `--frozen-lockfile`. Known options: `--model`, `--effort`."],
    });
    const reply = h.slack.repliesIn(FIXTURE_WORKSPACE.channel.id, refused.ts).find((m) => m.isBot);
    expect(reply?.text).toContain("I did not start this: Unknown option `--frozen-lockfile`");
    expect(h.agent.dispatches()).toHaveLength(before);
  });
});
