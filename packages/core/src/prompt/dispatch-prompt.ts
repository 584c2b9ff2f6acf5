import type {
  DispatchMention,
  DispatchOptions,
  DispatchSettings,
  HistoryMessage,
} from "@baton/agent-protocol";
import type { Message, Thread } from "chat";
import { stripLeadingBotMention } from "./bot-mention";
import { messageMarkdown } from "./message-markdown";
import { collectMentions } from "./message-mentions";
import { type OptionsPolicy, type ParsedOptions, parseMessageOptions } from "./message-options";
import { collectThreadHistory } from "./thread-history";

export interface PromptSettings {
  botName: string;
  optionsPolicy: OptionsPolicy;
  /** The dispatch byte budget: the history read stops well before it could never fit. */
  maxPayloadBytes: number;
}

/** What a dispatch carries of the conversation. */
export interface DispatchPrompt {
  prompt: string;
  options: DispatchOptions | undefined;
  /** Route settings the user overrode in the options block (where the route allows it). */
  settings: DispatchSettings | undefined;
  history: HistoryMessage[];
  /** The history's messages as the platform gave them (their files, their raw payloads). */
  messages: Message[];
  mentions: DispatchMention[];
}

/**
 * The request a message makes: its Markdown without the leading bot mention, and the options of
 * the block that follows the mention. The mention handler refuses bad options with this before
 * anything is stored; the dispatch reads the prompt with the same function, so both agree.
 */
export function readRequest(
  message: Message,
  settings: Pick<PromptSettings, "botName" | "optionsPolicy">,
): ParsedOptions {
  const request = stripLeadingBotMention(messageMarkdown(message), settings.botName);
  return parseMessageOptions(request, settings.optionsPolicy);
}

export async function buildDispatchPrompt(
  thread: Thread,
  message: Message,
  settings: PromptSettings,
): Promise<DispatchPrompt> {
  const parsed = readRequest(message, settings);
  const { history, messages, current } = await collectThreadHistory(
    thread,
    message,
    settings.maxPayloadBytes,
  );
  // A stored follow-up keeps a slim raw payload without its text: the copy read with the
  // thread has it, and with it the mentions' ids.
  const withRaw = hasRawText(message) ? message : (current ?? message);
  const mentions = await collectMentions([withRaw, ...messages], thread.adapter, messageMarkdown);
  return {
    // A message refused for its options is never stored, so it is not dispatched either; this
    // branch only covers a policy changed between storing and dispatching: send it as written.
    prompt:
      parsed.kind === "ok"
        ? parsed.prompt
        : stripLeadingBotMention(messageMarkdown(message), settings.botName),
    options: parsed.kind === "ok" ? parsed.options : undefined,
    settings: parsed.kind === "ok" ? parsed.settings : undefined,
    history,
    messages,
    mentions,
  };
}

function hasRawText(message: Message): boolean {
  const raw = message.raw as { text?: unknown } | null | undefined;
  return typeof raw?.text === "string";
}
