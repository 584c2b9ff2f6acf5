import {
  createBotRequestStore,
  createMessageStateStore,
  newBotRequestFromMention,
} from "@baton/core";
import { createSlackTestBot, parseMentionEnvelope } from "@baton/testing";
import type { StateAdapter } from "chat";

export interface SeededRequest {
  threadId: string;
  messageId: string;
}

/**
 * What a mention leaves behind: the bot request record and the slim message state, from a Slack
 * `app_mention` envelope parsed by the real Slack adapter.
 */
export async function seedRequest(
  state: StateAdapter,
  options: { botRequestId: string; envelope: Record<string, unknown>; apiUrl: string },
): Promise<SeededRequest> {
  const bot = createSlackTestBot({ apiUrl: options.apiUrl, state });
  const { message, thread } = parseMentionEnvelope(bot, options.envelope);
  await createBotRequestStore({ state }).create(
    newBotRequestFromMention(options.botRequestId, thread, message, Date.now() + 60_000),
  );
  await createMessageStateStore({ state }).save(options.botRequestId, thread, message);
  return { threadId: thread.id, messageId: message.id };
}
