import type { Attachment, StateAdapter } from "chat";
import { z } from "zod";
import { MESSAGE_STATE_TTL_MS, REQUEST_FILES_VERSION, requestFilesKey } from "../keys";

/**
 * A file a dispatch listed: how the agent names it (`ref`, in its URL) and the platform's own
 * reference to it (the serialized attachment: URL and fetch metadata, never bytes), from which the
 * adapter fetches it again when the agent asks.
 */
export const requestFileSchema = z.object({
  ref: z.string().regex(/^f[0-9]{1,4}$/),
  attachment: z.object({
    type: z.enum(["image", "file", "video", "audio"]),
    url: z.string().optional(),
    name: z.string().optional(),
    mimeType: z.string().optional(),
    size: z.number().optional(),
    width: z.number().optional(),
    height: z.number().optional(),
    fetchMetadata: z.record(z.string(), z.string()).optional(),
  }),
});

const requestFilesRecordSchema = z.object({
  v: z.literal(REQUEST_FILES_VERSION),
  files: z.array(requestFileSchema),
});

export type RequestFile = z.infer<typeof requestFileSchema>;
export type StoredAttachment = RequestFile["attachment"];

export type RequestFilesLoad =
  | { kind: "found"; files: RequestFile[] }
  | { kind: "missing" }
  | { kind: "corrupt" };

/** The sole owner of `bot-request-files:{id}`. */
export interface RequestFilesStore {
  save(botRequestId: string, files: RequestFile[]): Promise<void>;
  load(botRequestId: string): Promise<RequestFilesLoad>;
  delete(botRequestId: string): Promise<void>;
}

export function createRequestFilesStore(
  state: StateAdapter,
  ttlMs = MESSAGE_STATE_TTL_MS,
): RequestFilesStore {
  return {
    save: (botRequestId, files) =>
      state.set(requestFilesKey(botRequestId), { v: REQUEST_FILES_VERSION, files }, ttlMs),
    load: async (botRequestId) => {
      const value = await state.get(requestFilesKey(botRequestId));
      if (value === null || value === undefined) return { kind: "missing" };
      const parsed = requestFilesRecordSchema.safeParse(value);
      return parsed.success ? { kind: "found", files: parsed.data.files } : { kind: "corrupt" };
    },
    delete: (botRequestId) => state.delete(requestFilesKey(botRequestId)),
  };
}

/** The serializable part of a platform attachment (what `message.toJSON()` keeps). */
export function storedAttachment(attachment: Attachment): StoredAttachment {
  const { data: _data, fetchData: _fetchData, ...rest } = attachment;
  const stored: StoredAttachment = { type: rest.type };
  for (const key of ["url", "name", "mimeType"] as const) {
    if (typeof rest[key] === "string") stored[key] = rest[key];
  }
  for (const key of ["size", "width", "height"] as const) {
    if (typeof rest[key] === "number") stored[key] = rest[key];
  }
  if (rest.fetchMetadata) stored.fetchMetadata = { ...rest.fetchMetadata };
  return stored;
}
