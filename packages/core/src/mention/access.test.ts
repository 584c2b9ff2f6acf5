import { FIXTURE_WORKSPACE } from "@baton/testing";
import { afterEach, describe, expect, it } from "vitest";
import { accessRefusalKey } from "../keys";
import { type FlowHarness, requestIdOf, startFlowHarness } from "../test-support/flow-harness";
import { type AccessPolicy, decideAccess, OPEN_ACCESS } from "./access-policy";
import { ACCESS_NOTICES } from "./access-refusal";

const GENERAL = FIXTURE_WORKSPACE.channel.id;
const SECRET = { id: "C0SECRET01", name: "secret-ops" };
const MALLORY = { id: "U0MALLORY1", name: "mallory", realName: "Mallory Ødegård" };
const REQUEST = [
  "Why does `pnpm install --frozen-lockfile` fail on CI? Log below:",
  "```bash",
  'ERR_PNPM_OUTDATED_LOCKFILE  Cannot install with "frozen-lockfile" --filter @acme/ledger',
  "```",
  "See <https://ci.example.com/runs/42|run 42>.",
].join("\n");

describe("access lists", () => {
  let harness: FlowHarness | undefined;
  afterEach(async () => {
    await harness?.stop();
    harness = undefined;
  });

  async function start(access: AccessPolicy) {
    harness = await startFlowHarness({
      slack: {
        users: [{ ...FIXTURE_WORKSPACE.human }, MALLORY],
        channels: [{ ...FIXTURE_WORKSPACE.channel }, SECRET],
      },
      flows: () => ({ access }),
    });
    return harness;
  }

  it("refuses a denied user privately, once, storing nothing of the request", async () => {
    const h = await start({ ...OPEN_ACCESS, deniedUsers: [MALLORY.id] });
    const { ts, outcome } = await h.mention(`<@${h.slack.botUserId}> ${REQUEST}`, undefined, {
      user: MALLORY.id,
    });
    expect(outcome).toEqual({ kind: "refused-access", reason: "user" });
    expect(h.slack.ephemerals()).toEqual([
      expect.objectContaining({ user: MALLORY.id, channel: GENERAL, text: ACCESS_NOTICES.user }),
    ]);
    expect(h.agent.dispatches()).toEqual([]);
    // Nothing public: no reply in the thread, no request record, no stored message.
    expect(h.slack.repliesIn(GENERAL, ts)).toEqual([]);
    expect(await h.flows.isMentionStored("slack", ts)).toBe(false);

    // The same message handled again (a redelivery the SDK lets through) is not noticed twice.
    const again = await h.flows.onMention(
      h.chat.thread(`slack:${GENERAL}:${ts}`),
      await messageOf(h, ts),
    );
    expect(again).toEqual({ kind: "refused-access", reason: "user" });
    expect(h.slack.ephemerals()).toHaveLength(1);
    expect(await h.state.get(accessRefusalKey("slack", ts))).toEqual({ reason: "user" });

    // Everyone else is still answered in the same channel.
    const allowed = await h.mention(`<@${h.slack.botUserId}> ${REQUEST}`);
    expect(allowed.outcome.kind).toBe("dispatched");
    await h.finalRecord(requestIdOf(allowed.outcome));
  });

  it("refuses a denied channel and a channel off the allow-list; answers an allowed one", async () => {
    const h = await start({
      ...OPEN_ACCESS,
      allowedChannels: [GENERAL, SECRET.id],
      deniedChannels: [SECRET.id],
    });
    const denied = await h.mention(`<@${h.slack.botUserId}> ${REQUEST}`, undefined, {
      channel: SECRET.id,
    });
    expect(denied.outcome).toEqual({ kind: "refused-access", reason: "channel" });
    expect(h.slack.ephemerals()).toEqual([
      expect.objectContaining({ channel: SECRET.id, text: ACCESS_NOTICES.channel }),
    ]);
    expect(h.agent.dispatches()).toEqual([]);
    const ok = await h.mention(`<@${h.slack.botUserId}> ${REQUEST}`);
    expect(ok.outcome.kind).toBe("dispatched");
    await h.finalRecord(requestIdOf(ok.outcome));
  });

  it("admits only the allowed workspace and users", async () => {
    const h = await start({
      ...OPEN_ACCESS,
      allowedWorkspaces: ["T0OTHER001"],
    });
    const wrongTeam = await h.mention(`<@${h.slack.botUserId}> hello`);
    expect(wrongTeam.outcome).toEqual({ kind: "refused-access", reason: "workspace" });
    expect(h.agent.dispatches()).toEqual([]);
  });
});

describe("decideAccess", () => {
  const human = {
    workspaceId: "T1",
    channelId: "C1",
    userId: "U1",
    displayName: "Ada",
    isBot: false,
  };
  it("never lets a bot dispatch, whatever the lists say", () => {
    expect(
      decideAccess({ ...OPEN_ACCESS, allowedUsers: ["U1"] }, { ...human, isBot: true }),
    ).toEqual({
      kind: "ignored",
      reason: "bot",
    });
  });
  it("lets a deny win over an allow, and an empty allow-list admit everyone", () => {
    expect(decideAccess(OPEN_ACCESS, human)).toEqual({ kind: "allowed" });
    expect(
      decideAccess({ ...OPEN_ACCESS, allowedUsers: ["U1"], deniedUsers: ["U1"] }, human),
    ).toEqual({
      kind: "refused",
      reason: "user",
    });
    expect(decideAccess({ ...OPEN_ACCESS, allowedUsers: ["U2"] }, human)).toEqual({
      kind: "refused",
      reason: "user",
    });
    expect(
      decideAccess(
        { ...OPEN_ACCESS, allowedWorkspaces: ["T1"] },
        { ...human, workspaceId: undefined },
      ),
    ).toEqual({
      kind: "refused",
      reason: "workspace",
    });
  });
});

async function messageOf(h: FlowHarness, ts: string) {
  const thread = h.chat.thread(`slack:${GENERAL}:${ts}`);
  for await (const message of thread.allMessages) if (message.id === ts) return message;
  throw new Error("message not found");
}
