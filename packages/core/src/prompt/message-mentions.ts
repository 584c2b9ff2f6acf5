import { type DispatchMention, MAX_AUTHOR_BYTES, MAX_MENTIONS } from "@baton/agent-protocol";
import type { Adapter, Message } from "chat";
import { clipUtf8 } from "./utf8-truncate";

/**
 * The people and channels a message mentions, with their platform ids. The rendered Markdown
 * shows names (`@ada`, `#general (C123)`): the SDK replaces a mention's id with the name when it
 * parses the message, so the ids are read from the platform's raw payload, which only a message
 * fresh from the platform carries (a stored follow-up keeps a slim payload, so its ids come from
 * the copy read with the thread's history, when there is one).
 */
const MENTION_TOKENS: Readonly<Record<string, RegExp>> = {
  // `<@U123>`, `<@U123|name>`, `<#C123>`, `<#C123|name>` in the event's mrkdwn `text`.
  slack: /<([@#])([A-Z0-9]{1,64})(?:\|([^<>]*))?>/g,
};

interface RawMention {
  type: DispatchMention["type"];
  id: string;
  label: string | undefined;
}

function rawMentions(message: Message, adapterName: string): RawMention[] {
  const pattern = MENTION_TOKENS[adapterName];
  const raw = message.raw as { text?: unknown } | null | undefined;
  if (!pattern || typeof raw?.text !== "string") return [];
  return [...raw.text.matchAll(pattern)].map(([, sigil, id = "", label]) => ({
    type: sigil === "@" ? "user" : "channel",
    id,
    label: label || undefined,
  }));
}

/**
 * Mentions across the messages, each id once, in order of appearance, at most the protocol's
 * cap (the prompt's come first). The bot's own mention is left out: it is how it was called,
 * not something the request is about.
 */
export async function collectMentions(
  messages: readonly Message[],
  adapter: Pick<Adapter, "name" | "getUser" | "botUserId">,
  markdownOf: (message: Message) => string,
): Promise<DispatchMention[]> {
  const seen = new Map<string, RawMention & { markdown: string }>();
  for (const message of messages) {
    for (const mention of rawMentions(message, adapter.name)) {
      if (mention.id === adapter.botUserId || seen.has(mention.id)) continue;
      if (seen.size >= MAX_MENTIONS) break;
      seen.set(mention.id, { ...mention, markdown: markdownOf(message) });
    }
  }
  return Promise.all(
    [...seen.values()].map(async ({ type, id, label, markdown }) => ({
      type,
      id,
      name: clipUtf8(
        type === "user" ? await userName(adapter, id, label) : channelName(markdown, id, label),
        MAX_AUTHOR_BYTES,
      ),
    })),
  );
}

/** The Slack adapter has already looked the user up to render the message (a cached read). */
async function userName(
  adapter: Pick<Adapter, "getUser">,
  id: string,
  label: string | undefined,
): Promise<string> {
  if (label) return label;
  const user = await adapter.getUser?.(id).catch(() => null);
  return user?.userName || id;
}

/** The SDK renders a channel as `#name (C123)`: the name is read back from there. */
function channelName(markdown: string, id: string, label: string | undefined): string {
  if (label) return label;
  const rendered = new RegExp(`#(\\S+) \\(${id}\\)`).exec(markdown);
  return rendered?.[1] ?? id;
}
