import { randomUUID } from "node:crypto";
import { mrkdwnToRichTextBlocks } from "./rich-text-blocks";

/** The identifiers a Slack workspace fixture needs. */
export interface SlackWorkspaceFixture {
  teamId: string;
  appId: string;
  botUserId: string;
}

export const DEFAULT_WORKSPACE: SlackWorkspaceFixture = {
  teamId: "T0BATON01",
  appId: "A0BATON01",
  botUserId: "U0BATONBOT",
};

/** The human who mentions the bot in fixtures. */
export const DEFAULT_HUMAN_USER_ID = "U0HUMAN001";

export interface SlackFileFixture {
  id: string;
  name: string;
  mimetype: string;
  size: number;
}

export interface AppMentionInput {
  /** The message as the user typed it, mrkdwn; the bot mention is prepended. */
  text: string;
  user?: string;
  channel?: string;
  ts?: string;
  threadTs?: string;
  files?: SlackFileFixture[];
  workspace?: SlackWorkspaceFixture;
}

/**
 * A signed-ready Slack `event_callback` envelope carrying an `app_mention`, shaped like the ones
 * Slack sends (rich_text blocks, authorizations, client_msg_id, file objects).
 */
export function buildAppMentionEnvelope(input: AppMentionInput): Record<string, unknown> {
  const workspace = input.workspace ?? DEFAULT_WORKSPACE;
  const ts = input.ts ?? slackTs(Date.now());
  const text = `<@${workspace.botUserId}> ${input.text}`;
  const event: Record<string, unknown> = {
    type: "app_mention",
    user: input.user ?? DEFAULT_HUMAN_USER_ID,
    text,
    ts,
    client_msg_id: randomUUID(),
    team: workspace.teamId,
    blocks: mrkdwnToRichTextBlocks(text),
    channel: input.channel ?? "C0GENERAL1",
    event_ts: ts,
  };
  if (input.threadTs) event.thread_ts = input.threadTs;
  if (input.files?.length) {
    event.files = input.files.map((file) => slackFileObject(file, workspace, input.user));
    event.upload = false;
    event.display_as_bot = false;
  }
  return {
    token: "verification-token-unused",
    team_id: workspace.teamId,
    context_team_id: workspace.teamId,
    context_enterprise_id: null,
    api_app_id: workspace.appId,
    event,
    type: "event_callback",
    event_id: `Ev${randomUUID().replaceAll("-", "").slice(0, 10).toUpperCase()}`,
    event_time: Math.floor(Number(ts)),
    authorizations: [
      {
        enterprise_id: null,
        team_id: workspace.teamId,
        user_id: workspace.botUserId,
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
    is_ext_shared_channel: false,
    event_context: `4-${Buffer.from(randomUUID()).toString("base64url")}`,
  };
}

/** Slack message timestamps: seconds with a six-digit sequence suffix. */
export function slackTs(epochMs: number, sequence = 100): string {
  return `${Math.floor(epochMs / 1000)}.${String(sequence).padStart(6, "0")}`;
}

function slackFileObject(
  file: SlackFileFixture,
  workspace: SlackWorkspaceFixture,
  user = DEFAULT_HUMAN_USER_ID,
): Record<string, unknown> {
  const base = `https://files.slack.com/files-pri/${workspace.teamId}-${file.id}`;
  return {
    id: file.id,
    created: 1_700_000_000,
    timestamp: 1_700_000_000,
    name: file.name,
    title: file.name,
    mimetype: file.mimetype,
    filetype: file.name.split(".").pop() ?? "bin",
    pretty_type: file.mimetype,
    user,
    user_team: workspace.teamId,
    editable: false,
    size: file.size,
    mode: "hosted",
    is_external: false,
    external_type: "",
    is_public: true,
    public_url_shared: false,
    display_as_bot: false,
    username: "",
    url_private: `${base}/${file.name}`,
    url_private_download: `${base}/download/${file.name}`,
    permalink: `https://baton-demo.slack.com/files/${user}/${file.id}/${file.name}`,
    permalink_public: `https://slack-files.com/${workspace.teamId}-${file.id}-0123456789`,
    has_rich_preview: false,
    file_access: "visible",
  };
}
