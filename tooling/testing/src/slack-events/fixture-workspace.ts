import {
  createSlackEmulator,
  type SlackEmulator,
  type SlackEmulatorOptions,
} from "@baton/slack-emulator";

/** One Slack workspace that fixtures, the emulator and the test bot all agree on. */
export const FIXTURE_WORKSPACE = {
  teamId: "T0BATON01",
  botUserId: "U0BATONBOT",
  botToken: "xoxb-fixture-token",
  signingSecret: "fixture-signing-secret-0123456789abcdef",
  channel: { id: "C0GENERAL1", name: "general" },
  human: { id: "U0HUMAN001", name: "ada", realName: "Ada Lovelace" },
} as const;

/** A Slack emulator for the fixture workspace; not started (composing mentions needs no server). */
export function createFixtureSlackEmulator(
  overrides: Partial<SlackEmulatorOptions> = {},
): SlackEmulator {
  return createSlackEmulator({
    signingSecret: FIXTURE_WORKSPACE.signingSecret,
    botToken: FIXTURE_WORKSPACE.botToken,
    botUserId: FIXTURE_WORKSPACE.botUserId,
    teamId: FIXTURE_WORKSPACE.teamId,
    users: [{ ...FIXTURE_WORKSPACE.human }],
    channels: [{ ...FIXTURE_WORKSPACE.channel }],
    ...overrides,
  });
}
