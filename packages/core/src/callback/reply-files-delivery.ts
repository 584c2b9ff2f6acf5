import type { FileUpload, Logger, Thread } from "chat";
import { postFiles } from "../platform/platform-calls";
import type { ReplyRecord } from "../request/reply-store";
import {
  DEFAULT_REPLY_FILE_LIMITS,
  type FetchedReplyFile,
  fetchReplyFiles,
  missingFilesNote,
} from "./reply-files";

export interface ReplyFilesStep {
  record: ReplyRecord;
  save(next: ReplyRecord): Promise<void>;
  /** A message of ours since then that is none of the known ones (see reply-delivery.ts). */
  findLanded(since: number): Promise<string | undefined>;
  now(): number;
  /** Bytes this delivery already fetched, by URL; anything else is fetched again. */
  prefetched?: ReadonlyMap<string, FetchedReplyFile>;
  logger?: Logger;
  botRequestId: string;
}

/**
 * Posts the reply's files once, after its last chunk: marked in flight first (durably), and a
 * retry that finds them in flight looks for them in the thread before uploading again, exactly as
 * for a chunk. A file that can no longer be fetched on a retry is named instead.
 */
export async function deliverReplyFiles(thread: Thread, step: ReplyFilesStep): Promise<void> {
  const { record } = step;
  const files = record.files ?? [];
  if (files.length === 0 || record.filesPosted) return;
  const index = record.chunks.length;
  if (record.inFlight?.index === index && (await step.findLanded(record.inFlight.since))) {
    await step.save({ ...record, inFlight: undefined, filesPosted: true });
    return;
  }
  const missing = files.filter((f) => !step.prefetched?.has(f.url));
  const refetched = await fetchReplyFiles(missing, DEFAULT_REPLY_FILE_LIMITS);
  const uploads: FileUpload[] = [];
  for (const file of files) {
    const fetched =
      step.prefetched?.get(file.url) ??
      refetched.flatMap((r) =>
        r.kind === "fetched" && r.file.url === file.url ? [r.file] : [],
      )[0];
    if (fetched) uploads.push(fetched.upload);
  }
  const failed = refetched.flatMap((r) => (r.kind === "failed" ? [r] : []));
  const note = missingFilesNote(failed, DEFAULT_REPLY_FILE_LIMITS).trim();
  if (uploads.length === 0 && note === "") return;

  const since = step.now();
  const inFlight = { ...record, inFlight: { index, since } };
  await step.save(inFlight);
  await postFiles(
    thread,
    { markdown: note, ...(uploads.length > 0 ? { files: uploads } : {}) },
    {
      findLanded: () => step.findLanded(since),
      ...(step.logger ? { logger: step.logger } : {}),
      context: { botRequestId: step.botRequestId, files: uploads.length },
    },
  );
  await step.save({ ...inFlight, inFlight: undefined, filesPosted: true });
}
