import type { CallbackVerifier } from "@baton/agent-protocol";
import type { Adapter, Attachment } from "chat";
import {
  FILE_FETCH_TIMEOUT_MS,
  FILE_STREAM_IDLE_TIMEOUT_MS,
  FILE_STREAM_TOTAL_TIMEOUT_MS,
  isValidBotRequestId,
  MAX_SERVED_FILE_BYTES,
} from "../keys";
import { isFinalStatus } from "../request/bot-request-record";
import { createRequestFilesStore, type StoredAttachment } from "../request/request-files-store";
import type { RequestDeps } from "../request/request-stores";
import {
  type FileStreamError,
  type FileStreamLimits,
  limitFileStream,
} from "./limited-file-stream";
import type {
  PlatformFileAsk,
  PlatformFileOpening,
  PlatformFileSource,
} from "./platform-file-source";

export interface RequestFileAsk {
  botRequestId: string;
  fileRef: string;
  /** The raw `Authorization` header. */
  authorization: string | null;
}

export type RequestFileAnswer =
  | {
      kind: "file";
      /** The bytes as they arrive from the platform (streamed) or from the adapter's buffer. */
      body: ReadableStream<Uint8Array>;
      /** Content-Length, when known before the first byte. */
      size: number | undefined;
      name: string;
      mimeType: string;
      via: "stream" | "buffer";
    }
  | { kind: "refused"; status: 401 | 404 | 410 | 413 | 502 | 504; code: RequestFileRefusal };

export type RequestFileRefusal =
  | "unauthorized"
  | "file_not_found"
  | "request_ended"
  | "file_too_large"
  | "file_unavailable"
  | "file_fetch_timeout";

export interface RequestFileDeps extends RequestDeps {
  verifier: Pick<CallbackVerifier, "verifyFileAccess">;
  /** Streams files of the platforms it supports; the others go through the adapter's buffer. */
  fileSource?: PlatformFileSource;
  /** Overrides (configuration, tests); defaults are the constants in keys.ts. */
  maxServedFileBytes?: number;
  fileFetchTimeoutMs?: number;
  fileStreamIdleTimeoutMs?: number;
  fileStreamTotalTimeoutMs?: number;
}

/**
 * Serves one file a dispatch listed, to that request's agent only: the bearer token must be the
 * one derived from this request's signing secret, and the request must still be running (the
 * credential expires with the request). The bytes come from the platform with the bot's token,
 * within a size cap and timeouts: streamed through a `PlatformFileSource` when the platform has
 * one (the agent gets the first byte when Baton does, and memory holds a chunk, not the file),
 * otherwise through the adapter (`rehydrateAttachment` + `fetchData`, the whole file buffered).
 */
export async function serveRequestFile(
  deps: RequestFileDeps,
  ask: RequestFileAsk,
): Promise<RequestFileAnswer> {
  const { botRequestId, fileRef } = ask;
  // Checked before any store access: an unauthenticated caller costs one HMAC, nothing more.
  if (!isValidBotRequestId(botRequestId)) return refuse(401, "unauthorized");
  if (!deps.verifier.verifyFileAccess(botRequestId, ask.authorization)) {
    return refuse(401, "unauthorized");
  }
  const loaded = await deps.requests.get(botRequestId);
  if (loaded.kind !== "found" || isFinalStatus(loaded.record.status)) {
    return refuse(410, "request_ended");
  }
  const files = await createRequestFilesStore(deps.state).load(botRequestId);
  const file = files.kind === "found" ? files.files.find((f) => f.ref === fileRef) : undefined;
  if (!file) return refuse(404, "file_not_found");

  const maxBytes = deps.maxServedFileBytes ?? MAX_SERVED_FILE_BYTES;
  const { attachment } = file;
  if (attachment.size !== undefined && attachment.size > maxBytes) {
    return refuse(413, "file_too_large");
  }
  const { platform, threadId } = loaded.record;
  const timeoutMs = deps.fileFetchTimeoutMs ?? FILE_FETCH_TIMEOUT_MS;
  const about = { botRequestId, fileRef };
  if (deps.fileSource?.supports(platform)) {
    const opened = await openStream(deps.fileSource, {
      ask: { platform, threadId, attachment, maxBytes },
      headersTimeoutMs: timeoutMs,
      limits: {
        maxBytes,
        idleTimeoutMs: deps.fileStreamIdleTimeoutMs ?? FILE_STREAM_IDLE_TIMEOUT_MS,
        totalTimeoutMs: deps.fileStreamTotalTimeoutMs ?? FILE_STREAM_TOTAL_TIMEOUT_MS,
      },
      // The download fails for the agent; the operators see why.
      onFailure: (error) =>
        deps.logger.warn("a file's stream to the agent failed", { ...about, code: error.code }),
    });
    if (opened.kind !== "stream") return refusedFetch(deps, about, opened);
    return {
      kind: "file",
      body: opened.body,
      size: opened.size,
      name: attachment.name ?? fileRef,
      mimeType: attachment.mimeType ?? opened.mimeType ?? "application/octet-stream",
      via: "stream",
    };
  }

  const adapter = deps.chat.getAdapter(platform) as Adapter | undefined;
  let fetched = await fetchWithin(adapter, attachment, timeoutMs);
  if (fetched.kind === "failed" && attachment.fetchMetadata?.teamId) {
    // The Slack adapter (4.41) rehydrates a file with a team id by looking up that team's OAuth
    // installation, even when it runs with one configured bot token and has none: "Installation
    // not found". Without the team id it uses its own token; a multi-workspace adapter has no
    // token of its own, so there this second attempt fails as well and changes nothing.
    const { teamId: _teamId, ...metadata } = attachment.fetchMetadata;
    fetched = await fetchWithin(adapter, { ...attachment, fetchMetadata: metadata }, timeoutMs);
  }
  if (fetched.kind !== "ok") return refusedFetch(deps, about, fetched);
  if (fetched.bytes.byteLength > maxBytes) return refuse(413, "file_too_large");
  const bytes = fetched.bytes;
  return {
    kind: "file",
    body: new Blob([bytes]).stream(),
    size: bytes.byteLength,
    name: attachment.name ?? fileRef,
    mimeType: attachment.mimeType ?? "application/octet-stream",
    via: "buffer",
  };
}

type NotFetched = { kind: "timeout" } | { kind: "failed"; why: string } | { kind: "too-large" };

function refusedFetch(
  deps: RequestFileDeps,
  about: { botRequestId: string; fileRef: string },
  outcome: NotFetched,
): RequestFileAnswer {
  if (outcome.kind === "too-large") return refuse(413, "file_too_large");
  deps.logger.warn("could not fetch a file for the agent", {
    ...about,
    code: outcome.kind,
    ...(outcome.kind === "failed" ? { why: outcome.why } : {}),
  });
  return outcome.kind === "timeout"
    ? refuse(504, "file_fetch_timeout")
    : refuse(502, "file_unavailable");
}

/**
 * Opens the platform's stream within the headers timeout, refuses a declared length over the cap
 * before a body byte is read, and wraps the body in the cap, idle and total limits.
 */
async function openStream(
  source: PlatformFileSource,
  options: {
    ask: Omit<PlatformFileAsk, "signal">;
    headersTimeoutMs: number;
    limits: Omit<FileStreamLimits, "expectedBytes" | "onFailure">;
    onFailure: (error: FileStreamError) => void;
  },
): Promise<
  | { kind: "stream"; body: ReadableStream<Uint8Array>; size?: number; mimeType?: string }
  | NotFetched
> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.headersTimeoutMs);
  let opening: PlatformFileOpening;
  try {
    opening = await source.open({ ...options.ask, signal: controller.signal });
  } catch (error) {
    if (controller.signal.aborted) return { kind: "timeout" };
    return {
      kind: "failed",
      why: error instanceof Error ? error.message.slice(0, 200) : "unknown",
    };
  } finally {
    clearTimeout(timer);
  }
  if (opening.kind === "too-large") return { kind: "too-large" };
  if (opening.kind === "unavailable") {
    return controller.signal.aborted ? { kind: "timeout" } : { kind: "failed", why: opening.why };
  }
  if (opening.size !== undefined && opening.size > options.limits.maxBytes) {
    await opening.body.cancel().catch(() => undefined);
    return { kind: "too-large" };
  }
  const body = limitFileStream(opening.body, {
    ...options.limits,
    expectedBytes: opening.size,
    onFailure: (error) => {
      controller.abort(error);
      options.onFailure(error);
    },
  });
  return {
    kind: "stream",
    body,
    ...(opening.size !== undefined ? { size: opening.size } : {}),
    ...(opening.mimeType !== undefined ? { mimeType: opening.mimeType } : {}),
  };
}

type Fetched =
  | { kind: "ok"; bytes: Uint8Array<ArrayBuffer> }
  | { kind: "timeout" }
  | { kind: "failed"; why: string };

async function fetchWithin(
  adapter: Adapter | undefined,
  attachment: StoredAttachment,
  timeoutMs: number,
): Promise<Fetched> {
  const live: Attachment = adapter?.rehydrateAttachment?.({ ...attachment }) ?? attachment;
  const fetchData = live.fetchData;
  if (!fetchData) return { kind: "failed", why: "the adapter cannot fetch this file" };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Fetched>((resolve) => {
    timer = setTimeout(() => resolve({ kind: "timeout" }), timeoutMs);
  });
  const download = fetchData().then(
    (data: Buffer | ArrayBuffer): Fetched => ({ kind: "ok", bytes: new Uint8Array(data) }),
    (error: unknown): Fetched => ({
      kind: "failed",
      why: error instanceof Error ? error.message.slice(0, 200) : "unknown",
    }),
  );
  try {
    return await Promise.race([download, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function refuse(
  status: Extract<RequestFileAnswer, { kind: "refused" }>["status"],
  code: RequestFileRefusal,
): RequestFileAnswer {
  return { kind: "refused", status, code };
}
