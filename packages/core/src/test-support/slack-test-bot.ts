import { createSlackAdapter, type SlackAdapter } from "@chat-adapter/slack";
import { createMemoryState } from "@chat-adapter/state-memory";
import { Chat, deriveChannelId, type Message, type StateAdapter, ThreadImpl } from "chat";
import { DEFAULT_WORKSPACE } from "../../../testing/src/slack-events";

export const TEST_SIGNING_SECRET = "test-signing-secret-0123456789abcdef";
export const TEST_BOT_TOKEN = "xoxb-test-token";

export interface SlackTestBot {
  chat: Chat<{ slack: SlackAdapter }>;
  slack: SlackAdapter;
  state: StateAdapter;
}

/** A real Chat with the real Slack adapter, pointed at a loopback Web API (nothing leaves the host). */
export function createSlackTestBot(options: { apiUrl?: string; state?: StateAdapter } = {}) {
  const slack = createSlackAdapter({
    botToken: TEST_BOT_TOKEN,
    signingSecret: TEST_SIGNING_SECRET,
    botUserId: DEFAULT_WORKSPACE.botUserId,
    apiUrl: options.apiUrl ?? "http://127.0.0.1:9/api/",
    userName: "baton",
  });
  const state = options.state ?? createMemoryState();
  const chat = new Chat({ userName: "baton", adapters: { slack }, state, logger: "silent" });
  return { chat, slack, state } satisfies SlackTestBot;
}

/** The thread a mention handler would see for a message, built from the adapter's parse. */
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
