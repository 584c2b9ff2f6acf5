import { type HistoryMessage, MAX_HISTORY_MESSAGES } from "@baton/agent-protocol";
import type { Message, Thread } from "chat";

/**
 * The thread's earlier messages as dispatch history, oldest first, the thread's first message
 * (the original request) always at the front. Reads newest first and stops once it holds more
 * than the byte budget could ever carry, so a huge thread is not read whole.
 */
export async function collectThreadHistory(
  thread: Thread,
  current: Message,
  maxBytes: number,
): Promise<HistoryMessage[]> {
  return (await readThreadHistory(thread, current, maxBytes)).map(toHistoryMessage);
}

/** The messages `collectThreadHistory` turns into history, as the platform gave them. */
export async function readThreadHistory(
  thread: Thread,
  current: Message,
  maxBytes: number,
): Promise<Message[]> {
  // The message that starts a thread has no history: nothing to read.
  if (thread.id.split(":").pop() === current.id) return [];
  const newestFirst: Message[] = [];
  let bytes = 0;
  for await (const message of thread.messages) {
    if (message.id === current.id) continue;
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
  return chronological;
}

export function toHistoryMessage(message: Message): HistoryMessage {
  return {
    role: message.author.isMe ? "assistant" : "user",
    ...(message.author.userName ? { author: message.author.userName.slice(0, 200) } : {}),
    text: message.text,
    sentAt: message.metadata.dateSent.toISOString(),
  };
}
