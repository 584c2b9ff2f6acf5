import {
  type Chat,
  Message,
  parseMarkdown,
  type SerializedMessage,
  type Thread,
  ThreadImpl,
  toPlainText,
} from "chat";
import { lazyMarkdownRoot } from "./lazy-markdown-root";
import type { SlimMessage, StoredMessageState } from "./message-state-schema";

export interface RehydratedMessageState {
  thread: Thread;
  message: Message;
}

/**
 * Turns a stored record back into a live Thread and Message bound to the given Chat (never the
 * global singleton), so `thread.post()` works on any instance, in any process, after a restart.
 */
export function rehydrateMessageState(
  stored: StoredMessageState,
  chat: Chat,
): RehydratedMessageState {
  const messageJson = toSerializedMessage(stored.message);
  const thread = ThreadImpl.fromJSON(
    { _type: "chat:Thread", ...stored.thread, currentMessage: messageJson },
    undefined,
    chat,
  );
  return { thread, message: Message.fromJSON(messageJson) };
}

export function toSerializedMessage(slim: SlimMessage): SerializedMessage {
  const { markdown, replyTo, text, attachments, ...rest } = slim;
  const source = markdown ?? text ?? "";
  // Records written before the text was always kept need the parse now, to derive it.
  const formatted =
    text === undefined ? parseMarkdown(source) : lazyMarkdownRoot(() => parseMarkdown(source));
  return {
    _type: "chat:Message",
    ...rest,
    attachments: attachments ?? [],
    text: text ?? toPlainText(formatted),
    formatted,
    ...(replyTo ? { replyTo: toSerializedMessage(replyTo) } : {}),
  };
}
