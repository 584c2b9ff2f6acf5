import {
  type DispatchFile,
  type HistoryMessage,
  MAX_FILES_PER_MESSAGE,
  MAX_MIME_TYPE_LENGTH,
} from "@baton/agent-protocol";
import type { Message } from "chat";
import { MAX_HISTORY_FILE_BYTES } from "../keys";
import type { ThreadHistory } from "../prompt/thread-history";
import {
  createRequestFilesStore,
  type RequestFile,
  type StoredAttachment,
  storedAttachment,
} from "../request/request-files-store";
import type { DispatchDeps } from "./dispatch-deps";

/** The route that serves a request's files, beside the callback route (see filesUrlFor). */
export const REQUEST_FILES_ROUTE_SEGMENT = "bot-request-files";

export interface DispatchThreadContext {
  /** Files of the triggering message. */
  files: DispatchFile[];
  /** The thread's history, each message with the files it carries. */
  history: HistoryMessage[];
}

/**
 * The files a dispatch lists: the triggering message's, and those of the history (read once,
 * with the prompt), newest first while their declared sizes fit MAX_HISTORY_FILE_BYTES (so an
 * image from an earlier turn is carried forward). The platform references behind each listed
 * file are recorded, so the agent can fetch them from Baton while the request runs.
 */
export async function attachDispatchFiles(
  deps: DispatchDeps,
  botRequestId: string,
  message: Message,
  thread: Pick<ThreadHistory, "history" | "messages">,
): Promise<DispatchThreadContext> {
  const earlier = thread.messages;
  const stored: RequestFile[] = [];
  const list = (attachment: StoredAttachment): DispatchFile => {
    const ref = `f${stored.length}`;
    stored.push({ ref, attachment });
    return toDispatchFile(filesUrlFor(deps, botRequestId, ref), attachment, ref);
  };
  const files = message.attachments
    .slice(0, MAX_FILES_PER_MESSAGE)
    .map((a) => list(storedAttachment(a)));

  let budget = MAX_HISTORY_FILE_BYTES;
  const historyFiles: DispatchFile[][] = earlier.map(() => []);
  for (let index = earlier.length - 1; index >= 0; index--) {
    for (const attachment of (earlier[index] as Message).attachments) {
      const size = attachment.size ?? 0;
      const slot = historyFiles[index] as DispatchFile[];
      if (size > budget || slot.length >= MAX_FILES_PER_MESSAGE) continue;
      budget -= size;
      slot.push(list(storedAttachment(attachment)));
    }
  }
  if (stored.length > 0) await createRequestFilesStore(deps.state).save(botRequestId, stored);
  const history = thread.history.map((base, index) => {
    const entryFiles = historyFiles[index] ?? [];
    return entryFiles.length > 0 ? { ...base, files: entryFiles } : base;
  });
  return { files, history };
}

/**
 * `…/api/internal/bot-request-files/{id}/{ref}`: the sibling of the callback route, so the one
 * public base URL Baton is configured with serves both.
 */
export function filesUrlFor(
  deps: Pick<DispatchDeps, "callbackBaseUrl">,
  botRequestId: string,
  ref: string,
): string {
  const base = deps.callbackBaseUrl.replace(/\/[^/]*$/, `/${REQUEST_FILES_ROUTE_SEGMENT}`);
  return `${base}/${botRequestId}/${ref}`;
}

function toDispatchFile(url: string, attachment: StoredAttachment, ref: string): DispatchFile {
  const file: DispatchFile = { kind: attachment.type, name: attachment.name || ref, url };
  const mimeType = attachment.mimeType;
  if (mimeType && mimeType.length <= MAX_MIME_TYPE_LENGTH) file.mimeType = mimeType;
  if (isCount(attachment.size)) file.size = attachment.size;
  if (isCount(attachment.width)) file.width = attachment.width;
  if (isCount(attachment.height)) file.height = attachment.height;
  return file;
}

function isCount(value: number | undefined): value is number {
  return value !== undefined && Number.isInteger(value) && value >= 0;
}
