import { FIXTURE_WORKSPACE } from "@baton/testing";
import { afterEach, describe, expect, it } from "vitest";
import { identityKey } from "../keys";
import { type FlowHarness, requestIdOf, startFlowHarness } from "../test-support/flow-harness";

const ADA = {
  platform: "slack",
  workspaceId: FIXTURE_WORKSPACE.teamId,
  userId: FIXTURE_WORKSPACE.human.id,
};

describe("the requester in every dispatch", () => {
  let harness: FlowHarness | undefined;
  afterEach(async () => {
    await harness?.stop();
    harness = undefined;
  });

  it("names who asked, and their linked account only while it is linked", async () => {
    harness = await startFlowHarness();
    const h = harness;
    await h.flows.deps.identities.link(ADA, "acct_ada-lovelace");
    const linked = await h.mention(
      `<@${h.slack.botUserId}> Kannst du \`terraform plan -target=module.db\` erklären? https://example.com/plan`,
    );
    await h.finalRecord(requestIdOf(linked.outcome));
    const [first] = h.agent.dispatches();
    expect(first?.request?.requester).toEqual({
      userId: FIXTURE_WORKSPACE.human.id,
      workspaceId: FIXTURE_WORKSPACE.teamId,
      displayName: expect.any(String),
      accountId: "acct_ada-lovelace",
    });
    const answer = h.slack.repliesIn(FIXTURE_WORKSPACE.channel.id, linked.ts).at(-1)?.text;
    expect(answer).toContain(
      `in workspace ${FIXTURE_WORKSPACE.teamId}, account acct_ada-lovelace)`,
    );

    await h.flows.deps.identities.unlink(ADA);
    expect(await h.state.get(identityKey("slack", ADA.workspaceId, ADA.userId))).toBeNull();
    const unlinked = await h.mention(`<@${h.slack.botUserId}> and now?`);
    await h.finalRecord(requestIdOf(unlinked.outcome));
    const second = h.agent.dispatches().at(-1);
    expect(second?.request?.requester?.userId).toBe(FIXTURE_WORKSPACE.human.id);
    expect(second?.request?.requester).not.toHaveProperty("accountId");
  });

  it("sends no account for an identity that cannot be read, and reports it", async () => {
    harness = await startFlowHarness();
    const h = harness;
    await h.state.set(identityKey("slack", ADA.workspaceId, ADA.userId), { accountId: 42 });
    const { outcome } = await h.mention(`<@${h.slack.botUserId}> hello`);
    await h.finalRecord(requestIdOf(outcome));
    expect(h.agent.dispatches()[0]?.request?.requester).not.toHaveProperty("accountId");
    await h.slack.waitFor(
      () =>
        h.reporter.reports.some((r) => r.report.tags?.family === "identity") ? true : undefined,
      5_000,
    );
  });
});
