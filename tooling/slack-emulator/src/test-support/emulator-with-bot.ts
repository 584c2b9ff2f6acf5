/** Test support: a started emulator whose events go to a real Chat SDK bot (see chat-bot-server). */
import { createSlackEmulator, type SlackEmulator } from "../slack-emulator";
import type { SlackEmulatorOptions } from "../types";
import { type ChatBotServer, type SlackBot, startChatBotServer } from "./chat-bot-server";

export interface EmulatorWithBot {
  emulator: SlackEmulator;
  server: ChatBotServer;
}

/** The bot uses the emulator's bot token; `setup` registers its handlers before it starts. */
export async function startEmulatorWithBot(
  options: SlackEmulatorOptions,
  setup: (bot: SlackBot) => void,
): Promise<EmulatorWithBot> {
  const emulator = createSlackEmulator(options);
  await emulator.start();
  let server: ChatBotServer;
  try {
    server = await startChatBotServer({ emulator, botToken: options.botToken, setup });
  } catch (error) {
    await emulator.stop();
    throw error;
  }
  emulator.setWebhookUrl(server.webhookUrl);
  return { emulator, server };
}
