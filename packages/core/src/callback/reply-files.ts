import type { Attachment, CompletedCallback, TerminalCallback } from "@baton/agent-protocol";
import type { FileUpload } from "chat";
import { MAX_REPLY_FILE_BYTES, REPLY_FILE_FETCH_TIMEOUT_MS } from "../keys";
import type { ReplyRecord } from "../request/reply-store";
import { replyRecordFor } from "./reply-record";

/** A file of the agent's answer, fetched and ready to upload. */
export interface FetchedReplyFile {
  url: string;
  upload: FileUpload;
}

export type ReplyFileProblem = "too_large" | "unreachable" | "timeout";

export type ReplyFileFetch =
  | { kind: "fetched"; file: FetchedReplyFile }
  | { kind: "failed"; title: string; problem: ReplyFileProblem };

export interface ReplyFileLimits {
  maxBytes: number;
  timeoutMs: number;
}

export const DEFAULT_REPLY_FILE_LIMITS: ReplyFileLimits = {
  maxBytes: MAX_REPLY_FILE_BYTES,
  timeoutMs: REPLY_FILE_FETCH_TIMEOUT_MS,
};

/**
 * A terminal callback's reply record, with its files: each attachment is fetched (streamed, within
 * the size cap and the timeout) before the record is written, so a file that cannot be fetched is
 * named in the recorded text instead of failing the reply, and the record lists only the files
 * that will be posted. The fetched bytes are handed to this delivery; a retry fetches them again.
 */
export async function prepareReply(
  callback: TerminalCallback,
  platform: string,
  limits: ReplyFileLimits = DEFAULT_REPLY_FILE_LIMITS,
): Promise<{ reply: ReplyRecord; fetched: Map<string, FetchedReplyFile> }> {
  const attachments = callback.type === "completed" ? (callback.attachments ?? []) : [];
  if (attachments.length === 0) {
    return { reply: replyRecordFor(callback, platform), fetched: new Map() };
  }
  const results = await fetchReplyFiles(attachments, limits);
  const failed = results.flatMap((r) => (r.kind === "failed" ? [r] : []));
  const fetched = results.flatMap((r) => (r.kind === "fetched" ? [r.file] : []));
  const text = (callback as CompletedCallback).text + missingFilesNote(failed, limits);
  const reply = replyRecordFor({ ...(callback as CompletedCallback), text }, platform);
  const files = fetched.map((f) => ({
    title: f.upload.filename,
    url: f.url,
    ...(f.upload.mimeType ? { mimeType: f.upload.mimeType } : {}),
  }));
  return {
    reply: files.length > 0 ? { ...reply, files } : reply,
    fetched: new Map(fetched.map((f) => [f.url, f])),
  };
}

export function fetchReplyFiles(
  attachments: readonly Attachment[],
  limits: ReplyFileLimits,
): Promise<ReplyFileFetch[]> {
  return Promise.all(attachments.map((a) => fetchReplyFile(a, limits)));
}

/** What the user reads about files that could not be attached. */
export function missingFilesNote(
  failed: readonly { title: string; problem: ReplyFileProblem }[],
  limits: ReplyFileLimits,
): string {
  if (failed.length === 0) return "";
  const megabytes = Math.floor(limits.maxBytes / (1024 * 1024));
  const why: Record<ReplyFileProblem, string> = {
    too_large: `larger than ${megabytes} MB`,
    unreachable: "could not be downloaded",
    timeout: "took too long to download",
  };
  const lines = failed.map((f) => `- ${escapeInline(f.title)}: ${why[f.problem]}`);
  return `\n\n_Not attached:_\n${lines.join("\n")}`;
}

async function fetchReplyFile(attachment: Attachment, limits: ReplyFileLimits) {
  const failed = (problem: ReplyFileProblem): ReplyFileFetch => ({
    kind: "failed",
    title: attachment.title,
    problem,
  });
  const signal = AbortSignal.timeout(limits.timeoutMs);
  try {
    const response = await fetch(attachment.url, { signal, redirect: "follow" });
    if (!response.ok || !response.body) {
      await response.body?.cancel();
      return failed("unreachable");
    }
    const declared = Number(response.headers.get("content-length") ?? Number.NaN);
    if (Number.isFinite(declared) && declared > limits.maxBytes) {
      await response.body.cancel();
      return failed("too_large");
    }
    // Read as a stream: a body that lies about (or omits) its length stops at the cap.
    const chunks: Uint8Array[] = [];
    let size = 0;
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limits.maxBytes) {
        await reader.cancel();
        return failed("too_large");
      }
      chunks.push(value);
    }
    const mimeType = response.headers.get("content-type")?.split(";")[0]?.trim();
    const upload: FileUpload = {
      data: Buffer.concat(chunks, size),
      filename: attachment.title,
      ...(mimeType ? { mimeType } : {}),
    };
    return { kind: "fetched", file: { url: attachment.url, upload } } satisfies ReplyFileFetch;
  } catch {
    return failed(signal.aborted ? "timeout" : "unreachable");
  }
}

function escapeInline(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}
