import { createCallbackVerifier } from "@baton/agent-protocol";
import {
  type BatonFlows,
  CANCEL_ACTION_ID,
  countUnfinishedByState,
  createAgentClient,
  createApiOriginFileTransport,
  createBatonFlows,
  RETRY_ACTION_ID,
  type RequestFileDeps,
  StateUnavailableError,
} from "@baton/core";
import { createSlackAdapter } from "@chat-adapter/slack";
import { verifySlackSignature } from "@chat-adapter/slack/webhook";
import { Chat, type Logger, type Message, type Thread } from "chat";
import { env } from "./env";
import { markAccepted } from "./http/acknowledgement";
import { startInboxDrain } from "./http/inbox-drain-timer";
import type { SlackInstallFlow } from "./install/slack-install-flow";
import { createSlackInstalls } from "./install/slack-installs";
import { inBackgroundScope } from "./observability/background-scope";
import { chatLogger } from "./observability/logger";
import { processTelemetry, rootLogger } from "./observability/process-telemetry";
import { flushReports, sentryReporter } from "./observability/sentry-reporter";
import { inStartupContext } from "./observability/startup-context";
import { createRoutesFileRouter } from "./routes-file";
import { slackFileSourceFor } from "./slack-file-source";
import { createSlackNativeStreams } from "./slack-native-streams";
import { forgettingUninstalledWorkspaces } from "./slack-uninstall";
import { createStateBackend, type StateBackend } from "./state/state-backend";

/**
 * The Slack Web API client makes no retries of its own (its default can hold a post for half an
 * hour): every attempt is one of Baton's, counted in its retry budgets, and a rate limit comes
 * back at once with its Retry-After, which the callback answers as a 503 with that Retry-After.
 */
const SLACK_WEB_CLIENT_OPTIONS = {
  retryConfig: { retries: 0 },
  rejectRateLimitedCalls: true,
  timeout: 10_000,
};

/** `--effort` budgets under the operator's cap: high gets the cap, lower efforts a fraction. */
function effortBudgets(maxThinkingTokens: number) {
  return {
    low: Math.round(maxThinkingTokens / 8),
    medium: Math.round(maxThinkingTokens / 2),
    high: maxThinkingTokens,
  };
}

export const CALLBACK_ROUTE_PATH = "/api/internal/bot-session-callback";

/** Checks a platform webhook's signature from its raw body and headers, touching nothing. */
export type WebhookSignatureCheck = (body: string, headers: Headers) => Promise<boolean>;

export interface Baton {
  chat: Chat;
  backend: StateBackend;
  flows: BatonFlows;
  logger: Logger;
  /** Per platform: verified before a webhook touches the store. */
  webhookSignatures: Record<string, WebhookSignatureCheck>;
  /** Slack's OAuth install flow; absent without SLACK_CLIENT_ID. */
  slackInstall: SlackInstallFlow | undefined;
  /** How files reach agents: streamed from Slack, within the configured cap and timeouts. */
  requestFiles: Pick<
    RequestFileDeps,
    "fileSource" | "maxServedFileBytes" | "fileStreamIdleTimeoutMs"
  >;
}

function createBaton(): Baton {
  const config = env();
  const logger = chatLogger(rootLogger()).child("baton");
  const telemetry = processTelemetry();
  const stored = createStateBackend(config);
  const backend = { ...stored, state: telemetry.measuredState(stored.state) };
  const slackConfig = {
    signingSecret: config.SLACK_SIGNING_SECRET,
    userName: config.BATON_BOT_NAME,
    ...(config.SLACK_API_URL
      ? {
          apiUrl: config.SLACK_API_URL,
          fileTransport: createApiOriginFileTransport(config.SLACK_API_URL),
        }
      : {}),
    logger: logger.child("slack"),
    webClientOptions: SLACK_WEB_CLIENT_OPTIONS,
  };
  const { SLACK_CLIENT_ID, SLACK_CLIENT_SECRET } = config;
  // OAuth installs (several workspaces) when a client id is set; otherwise the one bot token.
  const installs =
    SLACK_CLIENT_ID && SLACK_CLIENT_SECRET
      ? createSlackInstalls({
          config: { ...config, SLACK_CLIENT_ID, SLACK_CLIENT_SECRET },
          adapterConfig: slackConfig,
          state: backend.state,
          reporter: sentryReporter,
          logger: logger.child("install"),
        })
      : undefined;
  const slack =
    installs?.adapter ??
    createSlackAdapter({
      ...slackConfig,
      botToken: config.SLACK_BOT_TOKEN,
      ...(config.SLACK_BOT_USER_ID ? { botUserId: config.SLACK_BOT_USER_ID } : {}),
    });
  const chat = new Chat({
    userName: config.BATON_BOT_NAME,
    adapters: { slack },
    state: backend.state,
    logger: logger.child("chat"),
    // Baton runs one request per thread and queues follow-ups itself; the SDK's default would
    // drop a message that arrives while a handler for the same thread is still running.
    concurrency: "concurrent",
  });
  const agent = createAgentClient({
    baseUrl: config.AGENT_URL,
    ...(config.AGENT_TOKEN ? { authToken: config.AGENT_TOKEN } : {}),
  });
  const optionsPolicy = {
    allowedModels: config.BATON_ALLOWED_MODELS,
    effortBudgets: effortBudgets(config.BATON_MAX_THINKING_TOKENS),
  };
  const flows = createBatonFlows({
    state: backend.state,
    chat,
    agent,
    access: {
      allowedWorkspaces: config.BATON_ALLOWED_WORKSPACES,
      allowedChannels: config.BATON_ALLOWED_CHANNELS,
      deniedChannels: config.BATON_DENIED_CHANNELS,
      allowedUsers: config.BATON_ALLOWED_USERS,
      deniedUsers: config.BATON_DENIED_USERS,
    },
    ...(config.BATON_ROUTES_FILE
      ? {
          router: createRoutesFileRouter(config.BATON_ROUTES_FILE, {
            fallback: {
              client: agent,
              optionsPolicy,
              ...(config.BATON_AGENT_PREAMBLE ? { preamble: config.BATON_AGENT_PREAMBLE } : {}),
            },
            effortBudgets: optionsPolicy.effortBudgets,
            logger: logger.child("routes"),
          }),
        }
      : {}),
    verifier: createCallbackVerifier({
      serverSecrets: config.BATON_CALLBACK_SECRETS,
      now: Date.now,
    }),
    callbackBaseUrl: new URL(CALLBACK_ROUTE_PATH, config.BATON_PUBLIC_URL).toString(),
    reporter: sentryReporter,
    logger: telemetry.watchedLogger(logger),
    telemetry: telemetry.core,
    ...(config.BATON_REQUEST_DEADLINE_MS ? { deadlineMs: config.BATON_REQUEST_DEADLINE_MS } : {}),
    ...(config.BATON_MESSAGE_STATE_TTL_MS
      ? { messageStateTtlMs: config.BATON_MESSAGE_STATE_TTL_MS }
      : {}),
    ...(config.BATON_AGENT_PREAMBLE ? { preamble: config.BATON_AGENT_PREAMBLE } : {}),
    botName: config.BATON_BOT_NAME,
    followUps: config.BATON_FOLLOW_UPS,
    ...(config.BATON_MAX_PAYLOAD_BYTES ? { maxPayloadBytes: config.BATON_MAX_PAYLOAD_BYTES } : {}),
    optionsPolicy,
    ...(config.BATON_ACCOUNT_LINKING === "required" &&
    config.BATON_LINK_SECRETS &&
    config.BATON_ACCOUNT_LINK_URL
      ? {
          linking: {
            required: true,
            secrets: config.BATON_LINK_SECRETS,
            linkUrl: config.BATON_ACCOUNT_LINK_URL,
          },
        }
      : {}),
    ...(config.BATON_SLACK_NATIVE_STREAMING === "1"
      ? {
          nativeStreams: createSlackNativeStreams(
            slack,
            installs ? { tokenFor: (channel) => installs.adapter.tokenForChannel(channel) } : {},
          ),
        }
      : {}),
  });
  telemetry.observeRequestStates(() => countUnfinishedByState(flows.deps));
  // With OAuth installs the adapter itself forgets a workspace that uninstalled (tokens and
  // identities); with the one bot token the SDK ignores the event, so the webhook is wrapped.
  if (!installs) {
    chat.webhooks.slack = forgettingUninstalledWorkspaces(
      chat.webhooks.slack,
      flows.deps.identities,
      logger.child("uninstall"),
    );
  }

  const reportingFailures =
    (operation: string, handle: typeof flows.onMention) =>
    async (thread: Thread, message: Message) => {
      try {
        // Runs after the webhook answered: its own scope, named for what it is.
        await inBackgroundScope(`handle ${operation}`, () =>
          telemetry.observeMention({ thread: thread.id, platform: thread.adapter.name }, () =>
            handle(thread, message, {
              onAccepted: (botRequestId) => {
                telemetry.mentionAccepted(botRequestId);
                markAccepted();
              },
            }),
          ),
        );
      } catch (error) {
        sentryReporter.report(error, {
          tags: { component: "conversation", operation, reason: "unexpected" },
          context: { threadId: thread.id, messageId: message.id },
        });
        throw error;
      }
    };
  chat.onNewMention(reportingFailures("mention", flows.onMention));
  chat.onSubscribedMessage(reportingFailures("follow-up", flows.onFollowUp));
  chat.onReaction(async (event) => {
    if (event.added) await flows.onReaction(event.threadId, event.emoji.name);
  });
  // Slack's native stop button; the SDK has already aborted its own turn for the thread.
  chat.onAgentSessionStopped(async (event) => {
    await flows.onAgentSessionStopped(event.threadId);
  });
  // Button clicks reach here only through the adapter's signature check (signed block_actions).
  chat.onAction([CANCEL_ACTION_ID, RETRY_ACTION_ID], async (event) => {
    await flows.onAction({
      actionId: event.actionId,
      value: event.value,
      userId: event.user.userId,
      threadId: event.threadId,
    });
  });
  const webhookSignatures: Record<string, WebhookSignatureCheck> = {
    slack: (body, headers) =>
      verifySlackSignature(body, headers, { signingSecret: config.SLACK_SIGNING_SECRET }).then(
        () => true,
        () => false,
      ),
  };
  const requestFiles: Baton["requestFiles"] = {
    fileSource: slackFileSourceFor({
      botToken: config.SLACK_BOT_TOKEN,
      apiUrl: config.SLACK_API_URL,
      installs: installs?.adapter,
    }),
    ...(config.BATON_MAX_SERVED_FILE_BYTES
      ? { maxServedFileBytes: config.BATON_MAX_SERVED_FILE_BYTES }
      : {}),
    ...(config.BATON_FILE_STREAM_IDLE_TIMEOUT_MS
      ? { fileStreamIdleTimeoutMs: config.BATON_FILE_STREAM_IDLE_TIMEOUT_MS }
      : {}),
  };
  return {
    chat,
    backend,
    flows,
    logger,
    webhookSignatures,
    slackInstall: installs?.flow,
    requestFiles,
  };
}

// One Baton per server process, kept on globalThis so dev-mode module reloads do not open a
// second database connection or register handlers twice.
const holder = globalThis as typeof globalThis & { __baton?: Promise<Baton> };

/** The process's Baton, connected and initialised on first use. */
export function getBaton(): Promise<Baton> {
  holder.__baton ??= (async () => {
    const baton = createBaton();
    await baton.chat.initialize();
    startSweeping(baton, env().BATON_SWEEP_INTERVAL_MS);
    if (env().BATON_SWEEP_INTERVAL_MS !== 0) startInboxDrain(baton, env().SLACK_SIGNING_SECRET);
    return baton;
  })().catch((error: unknown) => {
    holder.__baton = undefined;
    throw error;
  });
  return holder.__baton;
}

/**
 * Every instance tries on an interval; the sweeper's lock lets one sweep at a time. The timer is
 * armed in the start-up context and each sweep runs in a Sentry scope of its own, so a sweep's
 * events never carry the request that happened to build Baton first.
 */
function startSweeping(baton: Baton, intervalMs: number): void {
  if (intervalMs === 0) return;
  const timer = inStartupContext(() =>
    setInterval(() => {
      void inBackgroundScope("sweep deadlines", () => sweepOnce(baton));
    }, intervalMs),
  );
  timer.unref();
}

async function sweepOnce(baton: Baton): Promise<void> {
  try {
    const result = await baton.flows.sweep();
    if (result.kind === "swept") processTelemetry().swept(result);
    if (result.kind === "swept" && result.expired + result.failed > 0) {
      baton.logger.info("swept", result);
    }
    // The sweeper reports what it could not settle; those reports must reach Sentry.
    if (result.kind === "swept" && result.failed > 0) await flushReports();
  } catch (error) {
    // A store that does not answer is logged, not reported on every pass; the next pass retries.
    if (error instanceof StateUnavailableError) {
      baton.logger.warn("sweep skipped: the store is unavailable", { operation: error.operation });
      return;
    }
    sentryReporter.report(error, {
      tags: { component: "sweeper", operation: "sweep", reason: "unexpected" },
      context: {},
    });
    await flushReports();
  }
}
