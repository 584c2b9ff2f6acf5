/**
 * The agent's side of files: reading the files a dispatch lists (from Baton, with the request's
 * file token) and serving the demo files an answer attaches (`GET /files/{name}`).
 */
import { createHash } from "node:crypto";
import type { ServerResponse } from "node:http";
import type { DispatchFile } from "@baton/agent-protocol";

/** Largest file the agent reads from Baton; more is refused by the reader, not buffered. */
export const MAX_READ_FILE_BYTES = 32 * 1024 * 1024;

export type FileRead =
  | { kind: "read"; bytes: Buffer; sha256: string; mimeType: string | undefined }
  | { kind: "refused"; status: number; code: string };

/** Reads a dispatch's file from Baton with `Authorization` (see fileAccessHeader). */
export async function readDispatchFile(
  fetchFn: typeof fetch,
  file: DispatchFile,
  authorization: string,
  signal?: AbortSignal,
): Promise<FileRead> {
  const response = await fetchFn(file.url, {
    headers: { authorization },
    ...(signal ? { signal } : {}),
  });
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { error?: { code?: string } };
    return { kind: "refused", status: response.status, code: body.error?.code ?? "unknown" };
  }
  const bytes = Buffer.from(await response.arrayBuffer());
  if (bytes.length > MAX_READ_FILE_BYTES)
    return { kind: "refused", status: 413, code: "too_large" };
  return {
    kind: "read",
    bytes,
    sha256: createHash("sha256").update(bytes).digest("hex"),
    mimeType: response.headers.get("content-type") ?? undefined,
  };
}

/** Bytes of the demo file that is too large for Baton to attach (its cap is 10 MiB). */
export const DEMO_OVERSIZED_BYTES = 11 * 1024 * 1024;

/** The files the demo executor attaches, served by the agent itself. */
export const DEMO_FILES: Record<string, { mimeType: string; body: () => Buffer }> = {
  "latency-report.csv": {
    mimeType: "text/csv",
    body: () => Buffer.from("endpoint,p50_ms,p99_ms\n/api/search,38,212\n/api/export,95,1840\n"),
  },
  "rollout-notes.md": {
    mimeType: "text/markdown",
    body: () =>
      Buffer.from("# Rollout — Überblick\n\n- `pnpm install --frozen-lockfile`\n- canary: 5 %\n"),
  },
  "heap-dump.bin": {
    mimeType: "application/octet-stream",
    body: () => Buffer.alloc(DEMO_OVERSIZED_BYTES, 0x61),
  },
};

/** `GET /files/{name}`: a demo file, or 404 (what an attachment that cannot be fetched gets). */
export function serveDemoFile(path: string, response: ServerResponse): void {
  const name = decodeURIComponent(path.slice("/files/".length));
  const file = Object.hasOwn(DEMO_FILES, name) ? DEMO_FILES[name] : undefined;
  if (!file) {
    response.writeHead(404, { "content-type": "text/plain" }).end("no such file");
    return;
  }
  const body = file.body();
  response.writeHead(200, { "content-type": file.mimeType, "content-length": String(body.length) });
  response.end(body);
}
