import { type HistoryMessage, MAX_AUTHOR_BYTES, MAX_HISTORY_MESSAGES } from "@baton/agent-protocol";
import type { Message, Thread } from "chat";
import { messageMarkdown } from "./message-markdown";
import { clipUtf8 } from "./utf8-truncate";

export interface ThreadHistory {
  /** Earlier messages as dispatch history, oldest first (text in Markdown). */
  history: HistoryMessage[];
  /** The same messages as the platform returned them (their raw payloads carry mention ids). */
  messages: Message[];
  /** The triggering message as the platform returned it with the thread, when it was read. */
  current: Message | undefined;
}

/**
 * The thread's earlier messages as dispatch history, oldest first, the thread's first message
 * (the original request) always at the front. Reads newest first and stops once it holds more
 * than the byte budget could ever carry, so a huge thread is not read whole.
 */
export async function collectThreadHistory(
  thread: Thread,
  current: Message,
  maxBytes: number,
): Promise<ThreadHistory> {
  // The message that starts a thread has no history: nothing to read.
  if (thread.id.split(":").pop() === current.id) return { history: [], messages: [], current };
  const newestFirst: Message[] = [];
  let fetchedCurrent: Message | undefined;
  let bytes = 0;
  for await (const message of thread.messages) {
    if (message.id === current.id) {
      fetchedCurrent = message;
      continue;
    }
    newestFirst.push(message);
    bytes += Buffer.byteLength(message.text, "utf8");
    if (newestFirst.length >= MAX_HISTORY_MESSAGES || bytes > maxBytes * 2) break;
  }
  const chronological = newestFirst.reverse();
  const rootId = thread.id.split(":").pop();
  if (rootId && chronological[0]?.id !== rootId && rootId !== current.id) {
    const root = await thread.adapter.fetchMessage?.(thread.id, rootId);
    if (root) chronological.unshift(root);
  }
  return {
    history: chronological.map(toHistoryMessage),
    messages: chronological,
    current: fetchedCurrent,
  };
}

export function toHistoryMessage(message: Message): HistoryMessage {
  return {
    role: message.author.isMe ? "assistant" : "user",
    // The protocol bounds names in bytes: a long non-Latin display name is cut, not refused.
    ...(message.author.userName
      ? { author: clipUtf8(message.author.userName, MAX_AUTHOR_BYTES) }
      : {}),
    text: messageMarkdown(message),
    sentAt: message.metadata.dateSent.toISOString(),
  };
}
