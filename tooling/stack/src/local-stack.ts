import { randomBytes } from "node:crypto";
import {
  createJsonLogger,
  createLocalAgent,
  type DispatchRecord,
  type LocalAgentHandle,
  type LocalAgentOptions,
} from "@baton/agent-local";
import {
  type BotRequestRecord,
  createBotRequestStore,
  createMessageStateStore,
  type MessageStateLoad,
  mentionKey,
  webhookInboxKey,
} from "@baton/core";
import type {
  EmulatorMessage,
  MentionDelivery,
  SlackEmulator,
  SlackEmulatorOptions,
} from "@baton/slack-emulator";
import {
  createFixtureSlackEmulator,
  FIXTURE_WORKSPACE,
  type RedisServerHandle,
} from "@baton/testing";
import type { StateAdapter } from "chat";
import { startBatonInstances } from "./baton-instances";
import type { BatonServerHandle } from "./baton-server";
import { type CallbackAttempt, createCallbackRecorder } from "./callback-recorder";
import type { RoundRobinProxyHandle } from "./round-robin-proxy";
import { type SentryReceiverHandle, startSentryReceiver } from "./sentry-receiver";
import { type StackBackend, type StackBackendName, startStackBackend } from "./stack-backend";
import { waitUntil } from "./wait-until";
import { within } from "./within";

export interface LocalStackOptions {
  backend: StackBackendName;
  /** Start a loopback Sentry receiver and point SENTRY_DSN at it. */
  sentry?: boolean;
  /** The reference agent's options; its `fetch` is wrapped to record callback attempts. */
  agent?: LocalAgentOptions;
  /** Extra app settings, applied last. */
  env?: Record<string, string>;
  /** More emulated users and channels (the fixture human and #general are always there). */
  slack?: Pick<
    SlackEmulatorOptions,
    "users" | "channels" | "workspaces" | "oauth" | "streamExpiryMs"
  >;
  /** Baton instances sharing the backend, behind a round-robin proxy when more than one. */
  instances?: number;
  /** Redis only: AOF persistence, so the server can be stopped and started without data loss. */
  redisAppendOnly?: boolean;
  /**
   * The Slack emulator's automatic retries of a delivery not answered 2xx (retry n+1 this long
   * after retry n failed). Default Slack's own schedule: at once, after 1 and after 5 minutes.
   */
  slackRetryDelaysMs?: readonly number[];
}

export interface StackMention {
  /** The thread the mention lives in (the mention's own ts for a top-level mention). */
  threadTs: string;
  delivery: MentionDelivery;
}

export type StackDispatch = DispatchRecord & { botRequestId: string };

export interface LocalStack {
  readonly backend: StackBackendName;
  /** The first (or only) instance. */
  readonly server: BatonServerHandle;
  /** Every instance. */
  readonly servers: readonly BatonServerHandle[];
  /** Where Slack and the agent reach Baton (the proxy with several instances). */
  readonly publicUrl: string;
  readonly proxy: RoundRobinProxyHandle | undefined;
  readonly slack: SlackEmulator;
  readonly agent: LocalAgentHandle;
  readonly sentry: SentryReceiverHandle | undefined;
  readonly redis: RedisServerHandle | undefined;
  readonly sqlitePath: string | undefined;
  /** The app's whole configuration (secrets included, for leak checks). */
  readonly env: Readonly<Record<string, string>>;
  readonly channel: string;
  /** A human mentions the bot in the fixture channel; throws unless the webhook answered 200. */
  mention(text: string, options?: { threadTs?: string }): Promise<StackMention>;
  /** The agent's accepted dispatch for the thread: carries the botRequestId. */
  waitForDispatch(threadTs: string, timeoutMs?: number): Promise<StackDispatch>;
  /** Bot and human replies in the thread, oldest first. */
  replies(threadTs: string): EmulatorMessage[];
  waitForReply(
    threadTs: string,
    predicate: (message: EmulatorMessage) => boolean,
    timeoutMs?: number,
  ): Promise<EmulatorMessage>;
  /** Every callback attempt the agent made, optionally for one request. */
  callbackAttempts(botRequestId?: string): CallbackAttempt[];
  /** The bot request Baton created for a Slack message (by its ts), if any. */
  botRequestIdFor(messageTs: string): Promise<string | undefined>;
  /** Whether a Slack delivery (by its event id) is in the webhook inbox: recorded, not yet processed. */
  isDeliveryInInbox(eventId: string): Promise<boolean>;
  /** The request's record as stored, read through a connection of the test's own. */
  record(botRequestId: string): Promise<BotRequestRecord | undefined>;
  waitForRecord(
    botRequestId: string,
    predicate: (record: BotRequestRecord) => boolean,
    timeoutMs?: number,
  ): Promise<BotRequestRecord>;
  messageState(botRequestId: string): Promise<MessageStateLoad>;
  deleteMessageState(botRequestId: string): Promise<void>;
  /** Stops everything it started; safe to call after a partial failure. */
  stop(): Promise<void>;
}

/**
 * The order a stack stops in: the agent first (nothing calls back into a stopped server), the
 * server before the store it uses, the emulator last.
 */
const STOP_ORDER = ["agent", "servers", "reader", "sentry", "backend", "slack"] as const;
type Started = Partial<Record<(typeof STOP_ORDER)[number], () => Promise<unknown>>>;

/**
 * A part that takes longer to stop is reported by name and left behind, so the rest still stops
 * (each part bounds its own stop well below this; this catches one that hangs regardless).
 */
export const STACK_PART_STOP_TIMEOUT_MS = 30_000;

class StackPartStopTimeoutError extends Error {
  readonly code = "STACK_PART_STOP_TIMEOUT";

  constructor(part: string) {
    super(`the stack's ${part} did not stop within ${STACK_PART_STOP_TIMEOUT_MS} ms`);
    this.name = "StackPartStopTimeoutError";
  }
}

/** Stops what was started, each once, carrying on past failures and reporting them all. */
async function stopAll(started: Started): Promise<void> {
  const failures: unknown[] = [];
  for (const part of STOP_ORDER) {
    const stop = started[part];
    delete started[part];
    if (!stop) continue;
    try {
      await within(stop(), STACK_PART_STOP_TIMEOUT_MS, () => new StackPartStopTimeoutError(part));
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length > 0) throw new AggregateError(failures, "stopping the local stack failed");
}

/**
 * Baton as it runs for real, on loopback: the built Next app, the fixture Slack emulator, the
 * reference agent, a real SQLite file or redis-server, and optionally a Sentry receiver.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const started: Started = {};
  try {
    return await compose(options, started);
  } catch (error) {
    await stopAll(started).catch(() => undefined);
    throw error;
  }
}

async function compose(options: LocalStackOptions, started: Started): Promise<LocalStack> {
  const slack = createFixtureSlackEmulator({
    ...(options.slackRetryDelaysMs ? { retryDelaysMs: options.slackRetryDelaysMs } : {}),
    ...(options.slack
      ? {
          users: [{ ...FIXTURE_WORKSPACE.human }, ...(options.slack.users ?? [])],
          channels: [{ ...FIXTURE_WORKSPACE.channel }, ...(options.slack.channels ?? [])],
          ...(options.slack.workspaces ? { workspaces: options.slack.workspaces } : {}),
          ...(options.slack.oauth ? { oauth: options.slack.oauth } : {}),
          ...(options.slack.streamExpiryMs ? { streamExpiryMs: options.slack.streamExpiryMs } : {}),
        }
      : {}),
  });
  const { apiUrl } = await slack.start();
  started.slack = () => slack.stop();

  const recorder = createCallbackRecorder(options.agent?.fetch);
  // The agent's account side (account linking) calls Baton, whose URL is known only once the
  // instances run; linking itself stays off unless a test sets BATON_ACCOUNT_LINKING.
  const linkSecret = randomBytes(32).toString("hex");
  let batonUrl = "";
  const agent = await createLocalAgent({
    accountLink: { linkSecret, batonUrl: () => batonUrl },
    // The agent's own defects reach the test output; its routine warnings (a failed run) do not.
    logger: createJsonLogger({
      level: "error",
      write: (line) => process.stderr.write(`[local agent] ${line}\n`),
    }),
    ...options.agent,
    fetch: recorder.fetch,
  }).start();
  started.agent = () => agent.stop();

  const backend: StackBackend = await startStackBackend(options.backend, {
    appendOnly: options.redisAppendOnly ?? false,
  });
  started.backend = () => backend.stop();

  const sentry = options.sentry ? await startSentryReceiver() : undefined;
  if (sentry) started.sentry = () => sentry.stop();

  const baseEnv: Record<string, string> = {
    BATON_CALLBACK_SECRETS: randomBytes(32).toString("hex"),
    AGENT_URL: agent.url,
    SLACK_API_URL: apiUrl,
    SLACK_SIGNING_SECRET: FIXTURE_WORKSPACE.signingSecret,
    SLACK_BOT_TOKEN: FIXTURE_WORKSPACE.botToken,
    SLACK_BOT_USER_ID: FIXTURE_WORKSPACE.botUserId,
    BATON_LINK_SECRETS: linkSecret,
    BATON_ACCOUNT_LINK_URL: `${agent.url}/link`,
    ...backend.env,
    ...(sentry ? { SENTRY_DSN: sentry.dsn, SENTRY_ENVIRONMENT: "e2e" } : {}),
    ...options.env,
  };
  const instances = await startBatonInstances({ count: options.instances ?? 1, env: baseEnv });
  started.servers = () => instances.stop();
  const server = instances.servers[0] as BatonServerHandle;
  batonUrl = instances.publicUrl;
  // The app's whole configuration, as every instance got it (its own URL included).
  const env = { ...baseEnv, BATON_PUBLIC_URL: instances.publicUrl };
  slack.setWebhookUrl(`${instances.publicUrl}/api/webhooks/slack`);

  let reader: Promise<StateAdapter> | undefined;
  const state = () => {
    reader ??= backend.connect();
    return reader;
  };
  started.reader = async () => (reader ? (await reader).disconnect() : undefined);
  const requests = async () => createBotRequestStore({ state: await state() });
  const messageStates = async () => createMessageStateStore({ state: await state() });
  const channel = FIXTURE_WORKSPACE.channel.id;
  const serverTail = () => `server output (tail):\n${instances.output().slice(-4_000)}`;

  const stack: LocalStack = {
    backend: options.backend,
    server,
    servers: instances.servers,
    publicUrl: instances.publicUrl,
    proxy: instances.proxy,
    slack,
    agent,
    sentry,
    redis: backend.redis,
    sqlitePath: backend.sqlitePath,
    env,
    channel,
    async mention(text, mentionOptions = {}) {
      const delivery = await slack.mention({
        channel,
        user: FIXTURE_WORKSPACE.human.id,
        text,
        ...(mentionOptions.threadTs ? { threadTs: mentionOptions.threadTs } : {}),
      });
      if (delivery.status !== 200 || !delivery.ts) {
        throw new Error(
          `the Slack webhook answered ${delivery.status ?? delivery.error}: ${delivery.body}\n${serverTail()}`,
        );
      }
      return { threadTs: mentionOptions.threadTs ?? delivery.ts, delivery };
    },
    waitForDispatch(threadTs, timeoutMs) {
      const threadId = `slack:${channel}:${threadTs}`;
      return waitUntil(
        () =>
          agent
            .dispatches()
            .find(
              (d): d is StackDispatch =>
                d.outcome === "accepted" &&
                d.botRequestId !== undefined &&
                d.request?.context.threadId === threadId,
            ),
        { what: `a dispatch for ${threadId}`, timeoutMs, describe: serverTail },
      );
    },
    replies: (threadTs) => slack.repliesIn(channel, threadTs),
    waitForReply(threadTs, predicate, timeoutMs) {
      return waitUntil(() => slack.repliesIn(channel, threadTs).find(predicate), {
        what: `a matching reply in thread ${threadTs}`,
        timeoutMs,
        describe: () =>
          `replies: ${JSON.stringify(slack.repliesIn(channel, threadTs).map((m) => m.text))}\n${serverTail()}`,
      });
    },
    callbackAttempts: (botRequestId) =>
      recorder
        .attempts()
        .filter((attempt) => botRequestId === undefined || attempt.botRequestId === botRequestId),
    async botRequestIdFor(messageTs) {
      const id = await (await state()).get<string>(mentionKey("slack", messageTs));
      return typeof id === "string" ? id : undefined;
    },
    async isDeliveryInInbox(eventId) {
      return (await (await state()).get(webhookInboxKey("slack", eventId))) !== null;
    },
    async record(botRequestId) {
      const loaded = await (await requests()).get(botRequestId);
      if (loaded.kind === "corrupt") throw new Error(`record ${botRequestId}: ${loaded.reason}`);
      return loaded.kind === "found" ? loaded.record : undefined;
    },
    waitForRecord(botRequestId, predicate, timeoutMs) {
      let last: BotRequestRecord | undefined;
      return waitUntil(
        async () => {
          last = await stack.record(botRequestId);
          return last && predicate(last) ? last : undefined;
        },
        {
          what: `record ${botRequestId} to match`,
          timeoutMs,
          describe: () => `last record: ${JSON.stringify(last)}\n${serverTail()}`,
        },
      );
    },
    messageState: async (botRequestId) => (await messageStates()).load(botRequestId),
    deleteMessageState: async (botRequestId) => (await messageStates()).delete(botRequestId),
    stop: () => stopAll(started),
  };
  return stack;
}
