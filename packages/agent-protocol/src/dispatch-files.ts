/**
 * Files in a dispatch: the files and images of the triggering message (`files` on the request) and
 * of the history it carries (`files` on a history message). Each is served by Baton at `url` to
 * this request's agent only, while the request runs; see file-access.ts for the credential.
 */
import { z } from "zod";
import { MAX_FILE_NAME_BYTES, MAX_FILES_PER_MESSAGE, MAX_MIME_TYPE_LENGTH } from "./limits";
import { boundedText, HttpUrlSchema } from "./primitives";

export const FILE_KINDS = ["image", "file", "video", "audio"] as const;

export const DispatchFileSchema = z.object({
  /** The file's kind as the platform reports it (`image` for any image/* type). */
  kind: z.enum(FILE_KINDS),
  /** The file name shown in the chat, e.g. `p99-latency.png`. */
  name: boundedText(MAX_FILE_NAME_BYTES, { minLength: 1 }),
  mimeType: z.string().min(1).max(MAX_MIME_TYPE_LENGTH).optional(),
  /** Bytes, as the platform reports it. */
  size: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  width: z.number().int().min(0).max(1_000_000).optional(),
  height: z.number().int().min(0).max(1_000_000).optional(),
  /** `GET` it with `Authorization: Bearer {fileAccessToken(signingSecret, botRequestId)}`. */
  url: HttpUrlSchema,
});

export const DispatchFilesSchema = z.array(DispatchFileSchema).max(MAX_FILES_PER_MESSAGE);

export type DispatchFile = z.infer<typeof DispatchFileSchema>;
export type FileKind = (typeof FILE_KINDS)[number];
