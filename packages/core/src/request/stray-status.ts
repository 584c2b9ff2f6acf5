import type { Thread } from "chat";
import { carriesStreamMarker, type StreamIntent } from "./stream-intent";

/** Clock difference tolerated between us and the platform. */
const CLOCK_SKEW_MS = 5_000;
/** How far back in the thread stray status messages are looked for. */
const LOOKBACK_MESSAGES = 50;
/** Every status message starts with its status line (see USER_NOTICES.progress / working). */
const STATUS_LINE = /^[\s_*]*Working\b/;

/**
 * Status messages of ours posted since `since` that are not `known` (the answer's messages): left
 * behind by a poster that died, or failed, before recording the message it posted.
 */
export function findStrayStatusMessages(
  thread: Thread,
  since: number,
  known: ReadonlySet<string>,
): Promise<string[]> {
  return findOwnMessages(thread, since, known, (text) => STATUS_LINE.test(text));
}

/**
 * The stream messages started for any of `intents` that are not `known`: only a message carrying
 * one of their nonces, so never the answer (which carries none) nor another request's stream.
 */
export function findStreamOrphans(
  thread: Thread,
  intents: readonly StreamIntent[],
  known: ReadonlySet<string>,
): Promise<string[]> {
  if (intents.length === 0) return Promise.resolve([]);
  const since = Math.min(...intents.map((intent) => intent.since));
  return findOwnMessages(thread, since, known, (text) =>
    intents.some((intent) => carriesStreamMarker(text, intent)),
  );
}

async function findOwnMessages(
  thread: Thread,
  since: number,
  known: ReadonlySet<string>,
  matches: (text: string) => boolean,
): Promise<string[]> {
  const found: string[] = [];
  let seen = 0;
  for await (const message of thread.messages) {
    const sentAt = message.metadata.dateSent.getTime();
    if (sentAt < since - CLOCK_SKEW_MS || ++seen > LOOKBACK_MESSAGES) break;
    if (message.author.isMe && !known.has(message.id) && matches(message.text)) {
      found.push(message.id);
    }
  }
  return found;
}
