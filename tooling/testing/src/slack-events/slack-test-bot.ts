import {
  type AttachmentTransport,
  createSlackAdapter,
  type SlackAdapter,
} from "@chat-adapter/slack";
import { createMemoryState } from "@chat-adapter/state-memory";
import {
  Chat,
  ConsoleLogger,
  deriveChannelId,
  type Message,
  type StateAdapter,
  ThreadImpl,
} from "chat";
import { FIXTURE_WORKSPACE } from "./fixture-workspace";

export interface SlackTestBot {
  chat: Chat<{ slack: SlackAdapter }>;
  slack: SlackAdapter;
  state: StateAdapter;
}

/**
 * A real Chat with the real Slack adapter for the fixture workspace. Its Web API calls go to
 * `apiUrl` (the emulator); the default is a closed loopback port, for tests that never post.
 */
export function createSlackTestBot(
  options: {
    apiUrl?: string;
    state?: StateAdapter;
    concurrency?: "drop" | "concurrent";
    /** Per-call Web API timeout (default 5 s). */
    timeoutMs?: number;
    /** How the adapter downloads files (e.g. from the emulator instead of files.slack.com). */
    fileTransport?: AttachmentTransport;
  } = {},
): SlackTestBot {
  const slack = createSlackAdapter({
    botToken: FIXTURE_WORKSPACE.botToken,
    signingSecret: FIXTURE_WORKSPACE.signingSecret,
    botUserId: FIXTURE_WORKSPACE.botUserId,
    apiUrl: options.apiUrl ?? "http://127.0.0.1:9/api/",
    ...(options.fileTransport ? { fileTransport: options.fileTransport } : {}),
    userName: "baton",
    logger: new ConsoleLogger("error"),
    // No hidden client retries in tests: a fault injected once must surface once.
    webClientOptions: {
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      timeout: options.timeoutMs ?? 5_000,
    },
  });
  const state = options.state ?? createMemoryState();
  const chat = new Chat({
    userName: "baton",
    adapters: { slack },
    state,
    logger: "silent",
    ...(options.concurrency ? { concurrency: options.concurrency } : {}),
  });
  return { chat, slack, state };
}

/** The thread a mention handler would see for a message parsed by the adapter. */
export function threadForMessage(bot: SlackTestBot, message: Message): ThreadImpl {
  return new ThreadImpl({
    id: message.threadId,
    adapter: bot.slack,
    channelId: deriveChannelId(bot.slack, message.threadId),
    currentMessage: message,
    stateAdapter: bot.state,
    isDM: false,
  });
}

/** Parses the `app_mention` inside an envelope the way the adapter does for a webhook. */
export function parseMentionEnvelope(bot: SlackTestBot, envelope: Record<string, unknown>) {
  const message = bot.slack.parseMessage(envelope.event as never);
  return { message, thread: threadForMessage(bot, message) };
}
