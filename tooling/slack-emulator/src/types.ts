import type { StreamPlanView } from "./model/stream-plan";
/** Public option and record types of the Slack emulator. */

export interface EmulatorUser {
  id: string;
  /** Slack handle (`name`), e.g. "alice". */
  name: string;
  realName?: string;
  displayName?: string;
  email?: string;
  isBot?: boolean;
}

export interface EmulatorChannel {
  id: string;
  name: string;
  isPrivate?: boolean;
}

export interface SlackEmulatorOptions {
  host?: "127.0.0.1";
  /** 0 (the default) picks a free port. */
  port?: number;
  signingSecret: string;
  botToken: string;
  botUserId: string;
  botName?: string;
  /** The bot's `B…` id, sent as `bot_id` on its messages. */
  botId?: string;
  appId?: string;
  teamId: string;
  teamName?: string;
  /** The bot's Slack events URL; settable later with `setWebhookUrl`. */
  webhookUrl?: string;
  /** Legacy verification token placed in event envelopes. */
  verificationToken?: string;
  /** Clock in epoch milliseconds: message ts, event times and request signatures. */
  now?: () => number;
  /** Human users; defaults to one user, alice. The bot user is always added. */
  users?: EmulatorUser[];
  /** Channels; defaults to #general. Events to unknown `C…`/`D…`/`G…` ids create them. */
  channels?: EmulatorChannel[];
  /** How long an event delivery waits for the bot's answer (Slack waits 3 s). */
  deliveryTimeoutMs?: number;
  /**
   * Automatic retries of a delivery not answered 2xx (with `x-slack-retry-num` and
   * `x-slack-retry-reason`): retry n+1 this long after retry n failed. Default Slack's own
   * schedule: at once, after 1 minute, after 5 minutes. `[]` turns them off.
   */
  retryDelaysMs?: readonly number[];
  /** Idle streams stop accepting appends after this long (Slack: about 5 minutes). */
  streamExpiryMs?: number;
  /** Keep the workspace in this JSON file: loaded at start, saved after each change. */
  workspaceFile?: string;
  /**
   * Further workspaces the app can be installed in through the emulated OAuth flow
   * (`GET /oauth/v2/authorize`, `oauth.v2.access`); each gets its bot token from the install.
   */
  workspaces?: EmulatorWorkspaceOptions[];
  /** The app's OAuth credentials (Basic Information → App Credentials on Slack). */
  oauth?: { clientId: string; clientSecret: string };
}

/** A further workspace: its own team, bot user, members and channels. */
export interface EmulatorWorkspaceOptions {
  teamId: string;
  teamName?: string;
  /** The app's bot user in this workspace (each workspace has its own). */
  botUserId: string;
  botId?: string;
  users?: EmulatorUser[];
  /** Defaults to one channel, `general`, with id `C{team id without T}G`. */
  channels?: EmulatorChannel[];
}

/** A message as tests and the page see it. `raw` is the Slack wire shape. */
export interface EmulatorMessage {
  channel: string;
  ts: string;
  threadTs?: string;
  user?: string;
  text: string;
  isBot: boolean;
  streaming: boolean;
  /** A streamed message's plan and tasks (from its plan_update / task_update chunks). */
  plan?: StreamPlanView;
  edited: boolean;
  reactions: { name: string; users: string[] }[];
  raw: Record<string, unknown>;
}

export type FaultStatus = 429 | 500 | 502 | 503;

export interface FaultSpec {
  /** HTTP status; 429 carries `Retry-After` (default 1 s) and `{ok:false,error:"ratelimited"}`. */
  status?: FaultStatus;
  retryAfterSeconds?: number;
  /** With no status: HTTP 200 `{ok:false,error}`. With a status: the body's error. */
  slackError?: string;
  /** How many matching calls fail (Infinity for all). */
  times: number;
  /** Hold the response this long first (client timeouts). */
  delayMs?: number;
  /** The call still takes effect; only its answer is lost (e.g. a post that lands but reports 500). */
  takesEffect?: boolean;
}

export interface RecordedApiCall {
  seq: number;
  method: string;
  /** Request parameters as sent (form values are strings), without the token. */
  params: Record<string, unknown>;
  encoding: "form" | "json" | "query" | "none";
  tokenSource: "header" | "body" | "none";
  /** The token the call was made with, and the workspace it belongs to (when it is known). */
  token?: string;
  teamId?: string;
  time: number;
  status: number;
  ok: boolean;
  error?: string;
  faulted: boolean;
  response: Record<string, unknown>;
}

export type RetryReason = "http_timeout" | "http_error" | "connection_failed" | "unknown_error";

export interface EventDelivery {
  eventId: string;
  eventType: string;
  channel?: string;
  /** The ts of the message the event is about (the user message for mentions). */
  ts?: string;
  eventTs: string;
  retryNum: number;
  retryReason?: RetryReason;
  /** HTTP status from the bot, or null when no answer arrived. */
  status: number | null;
  body: string;
  error?: string;
  time: number;
  durationMs: number;
}

export interface DeliverOptions {
  /** Sign with this secret instead of the configured one (signature tests). */
  signingSecret?: string;
  /** Override `x-slack-request-timestamp` (seconds), e.g. a stale one. */
  timestampSeconds?: number;
}

/** A file shared with a message (Slack `files[]`), as hosted by the emulated workspace. */
export interface EmulatorFile {
  id: string;
  name: string;
  mimetype: string;
  /** Bytes; with `content` the size of the content wins. */
  size: number;
  /** What the file holds; absent: `size` bytes of a pattern derived from the name. */
  content?: string | Uint8Array;
  /** TEST ONLY: serve the bytes the way a misbehaving file host would (see FileTestServing). */
  testServing?: FileTestServing;
}

/**
 * TEST ONLY knobs for exercising a downloader's limits. Real Slack reports a file's true size and
 * sends its whole body with a Content-Length; these make the emulator do otherwise.
 */
export interface FileTestServing {
  /** The size the message event reports instead of the true one (the file grew after sharing). */
  reportedSize?: number;
  /** Send the body chunked, without Content-Length. */
  omitContentLength?: boolean;
  /** After this many bytes send nothing more, holding the connection open (a stalled host). */
  stallAfterBytes?: number;
}

export interface MentionInput extends DeliverOptions {
  channel: string;
  user: string;
  /** Slack mrkdwn; `<@BOTID>` is prepended when the text does not mention the bot. */
  text: string;
  threadTs?: string;
  files?: EmulatorFile[];
  /** Include rich_text blocks like real clients (default true). */
  blocks?: boolean;
  /** Also deliver the paired `message` event, as Slack does for apps subscribed to messages. */
  alsoMessageEvent?: boolean;
}

export interface MessageInput extends DeliverOptions {
  channel: string;
  user: string;
  text: string;
  threadTs?: string;
  files?: EmulatorFile[];
  blocks?: boolean;
}

export interface ReactionInput extends DeliverOptions {
  channel: string;
  user: string;
  /** The reacted-to message. */
  ts: string;
  /** Emoji name without colons, e.g. "thumbsup". */
  name: string;
  removed?: boolean;
}

/** A user's mention recorded in the workspace, with the event envelope Slack would send for it. */
export interface ComposedEvent {
  channel: string;
  ts: string;
  eventId: string;
  /** The `event_callback` envelope, ready to be signed and delivered. */
  envelope: Record<string, unknown>;
}
