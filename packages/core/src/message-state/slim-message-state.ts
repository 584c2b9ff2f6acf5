import { type Message, type SerializedMessage, stringifyMarkdown, type Thread } from "chat";
import { MESSAGE_STATE_VERSION } from "../keys";
import type { SlimMessage, SlimThread, StoredMessageState } from "./message-state-schema";
import { slimRaw } from "./raw-fields";

/** Builds the slim record for a thread and the message that triggered the request. */
export function toStoredMessageState(thread: Thread, message: Message): StoredMessageState {
  const { _type, currentMessage: _stored, ...slimThread } = thread.toJSON();
  return {
    v: MESSAGE_STATE_VERSION,
    thread: slimThread satisfies SlimThread,
    message: slimMessage(message.toJSON(), slimThread.adapterName),
  };
}

function slimMessage(json: SerializedMessage, adapterName: string): SlimMessage {
  const { _type, formatted, raw, replyTo, text, attachments, ...rest } = json;
  const slim: SlimMessage = { ...rest, raw: slimRaw(adapterName, raw) };
  if (attachments.length > 0) slim.attachments = attachments;
  // `formatted` is re-parsed from the markdown (or from the text when the two agree), and only
  // when something reads it: the text is always kept, so a resume needs no parse at all.
  const markdown = stringifyMarkdown(formatted).replace(/\n+$/, "");
  slim.text = text;
  if (markdown !== text) slim.markdown = markdown;
  if (replyTo) slim.replyTo = slimMessage(replyTo, adapterName);
  return dropUndefined(slim);
}

function dropUndefined<T extends object>(value: T): T {
  for (const key of Object.keys(value) as (keyof T)[]) {
    if (value[key] === undefined) delete value[key];
  }
  return value;
}
