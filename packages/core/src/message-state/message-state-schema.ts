import type { SerializedMessage, SerializedThread } from "chat";
import { z } from "zod";
import { MESSAGE_STATE_VERSION } from "../keys";
import { assertType, type Equals } from "../type-equality";

/**
 * The slim, versioned record stored per bot request. It keeps what rehydration and posting need
 * and nothing that can be re-derived:
 * - the thread without `currentMessage` (the message is stored once, beside it);
 * - the message without `formatted`: it is re-parsed, when first read, from `markdown`, or from
 *   `text` when the two agree, so no mdast `position` data is stored; `text` is always kept, so
 *   resuming parses nothing (records from before that may lack it; it is then re-derived);
 * - `raw` cut to the platform's posting fields (see raw-fields.ts).
 */

const authorSchema = z.object({
  userId: z.string(),
  userName: z.string(),
  fullName: z.string(),
  email: z.string().optional(),
  isBot: z.union([z.boolean(), z.literal("unknown")]),
  isMe: z.boolean(),
  isSystem: z.boolean().optional(),
});

const attachmentSchema = z.object({
  type: z.enum(["image", "file", "video", "audio"]),
  url: z.string().optional(),
  name: z.string().optional(),
  mimeType: z.string().optional(),
  size: z.number().optional(),
  width: z.number().optional(),
  height: z.number().optional(),
  fetchMetadata: z.record(z.string(), z.string()).optional(),
});

const linkSchema = z.object({
  url: z.string(),
  title: z.string().optional(),
  description: z.string().optional(),
  imageUrl: z.string().optional(),
  siteName: z.string().optional(),
});

const metadataSchema = z.object({
  dateSent: z.string(),
  edited: z.boolean(),
  editedAt: z.string().optional(),
});

export type SlimMessage = Omit<
  SerializedMessage,
  "_type" | "formatted" | "replyTo" | "text" | "attachments"
> & {
  /** Plain text; absent only in records written before it was always kept. */
  text?: string;
  /** Absent when the message has none (most have none: the bytes are not worth storing). */
  attachments?: SerializedMessage["attachments"];
  /** Markdown source of `formatted`; absent when it is identical to `text`. */
  markdown?: string;
  replyTo?: SlimMessage;
};

const slimMessageFields = z.object({
  id: z.string(),
  threadId: z.string(),
  text: z.string().optional(),
  markdown: z.string().optional(),
  raw: z.unknown(),
  author: authorSchema,
  metadata: metadataSchema,
  attachments: z.array(attachmentSchema).optional(),
  isMention: z.boolean().optional(),
  links: z.array(linkSchema).optional(),
});

export const slimMessageSchema: z.ZodType<SlimMessage> = slimMessageFields
  .extend({
    get replyTo() {
      return slimMessageSchema.optional();
    },
  })
  .refine((message) => message.text !== undefined || message.markdown !== undefined, {
    message: "a message needs text or markdown",
    path: ["text"],
  });

export type SlimThread = Omit<SerializedThread, "_type" | "currentMessage">;

export const slimThreadSchema = z.object({
  id: z.string(),
  adapterName: z.string(),
  channelId: z.string(),
  channelVisibility: z.enum(["private", "workspace", "external", "unknown"]).optional(),
  isDM: z.boolean(),
});

export const storedMessageStateSchema = z.object({
  v: z.literal(MESSAGE_STATE_VERSION),
  thread: slimThreadSchema,
  message: slimMessageSchema,
});

export type StoredMessageState = z.infer<typeof storedMessageStateSchema>;

// If the Chat SDK adds, removes or retypes a serialized field, these stop compiling: the schema
// (and the slimming) must then be revisited rather than silently dropping or mis-reading data.
assertType<Equals<z.infer<typeof slimMessageFields>, Omit<SlimMessage, "replyTo">>>(true);
assertType<Equals<z.infer<typeof authorSchema>, SerializedMessage["author"]>>(true);
assertType<Equals<z.infer<typeof attachmentSchema>, SerializedMessage["attachments"][number]>>(
  true,
);
assertType<Equals<z.infer<typeof linkSchema>, NonNullable<SerializedMessage["links"]>[number]>>(
  true,
);
assertType<Equals<z.infer<typeof metadataSchema>, SerializedMessage["metadata"]>>(true);
assertType<Equals<z.infer<typeof slimThreadSchema>, SlimThread>>(true);
