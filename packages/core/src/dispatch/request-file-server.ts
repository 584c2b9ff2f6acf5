import type { CallbackVerifier } from "@baton/agent-protocol";
import type { Adapter, Attachment } from "chat";
import { FILE_FETCH_TIMEOUT_MS, isValidBotRequestId, MAX_SERVED_FILE_BYTES } from "../keys";
import { isFinalStatus } from "../request/bot-request-record";
import { createRequestFilesStore, type StoredAttachment } from "../request/request-files-store";
import type { RequestDeps } from "../request/request-stores";

export interface RequestFileAsk {
  botRequestId: string;
  fileRef: string;
  /** The raw `Authorization` header. */
  authorization: string | null;
}

export type RequestFileAnswer =
  | { kind: "file"; body: Uint8Array<ArrayBuffer>; name: string; mimeType: string }
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
  /** Overrides for tests; default MAX_SERVED_FILE_BYTES / FILE_FETCH_TIMEOUT_MS. */
  maxServedFileBytes?: number;
  fileFetchTimeoutMs?: number;
}

/**
 * Serves one file a dispatch listed, to that request's agent only: the bearer token must be the
 * one derived from this request's signing secret, and the request must still be running (the
 * credential expires with the request). The bytes come from the platform through the adapter
 * (`rehydrateAttachment` + `fetchData`, with the bot's token), within a size cap and a timeout.
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
  const adapter = deps.chat.getAdapter(loaded.record.platform) as Adapter | undefined;
  const timeoutMs = deps.fileFetchTimeoutMs ?? FILE_FETCH_TIMEOUT_MS;
  let fetched = await fetchWithin(adapter, attachment, timeoutMs);
  if (fetched.kind === "failed" && attachment.fetchMetadata?.teamId) {
    // The Slack adapter (4.41) rehydrates a file with a team id by looking up that team's OAuth
    // installation, even when it runs with one configured bot token and has none: "Installation
    // not found". Without the team id it uses its own token; a multi-workspace adapter has no
    // token of its own, so there this second attempt fails as well and changes nothing.
    const { teamId: _teamId, ...metadata } = attachment.fetchMetadata;
    fetched = await fetchWithin(adapter, { ...attachment, fetchMetadata: metadata }, timeoutMs);
  }
  if (fetched.kind !== "ok") {
    deps.logger.warn("could not fetch a file for the agent", {
      botRequestId,
      fileRef,
      code: fetched.kind,
      ...(fetched.kind === "failed" ? { why: fetched.why } : {}),
    });
    return fetched.kind === "timeout"
      ? refuse(504, "file_fetch_timeout")
      : refuse(502, "file_unavailable");
  }
  if (fetched.bytes.byteLength > maxBytes) return refuse(413, "file_too_large");
  return {
    kind: "file",
    body: fetched.bytes,
    name: attachment.name ?? fileRef,
    mimeType: attachment.mimeType ?? "application/octet-stream",
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
