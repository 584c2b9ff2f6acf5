/** Small node:http helpers: bounded body reading and JSON answers in the protocol's shapes. */
import type { IncomingMessage, ServerResponse } from "node:http";
import { MAX_ERROR_MESSAGE_BYTES } from "@baton/agent-protocol";
import { truncateUtf8 } from "./text";

export type BodyReading =
  | { ok: true; text: string; bytes: number }
  | { ok: false; reason: "too_large" };

/** Reads the body as UTF-8, refusing (without buffering further) past `maxBytes`. */
export function readBody(request: IncomingMessage, maxBytes: number): Promise<BodyReading> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers["content-length"]);
    if (Number.isFinite(declared) && declared > maxBytes) {
      request.resume();
      resolve({ ok: false, reason: "too_large" });
      return;
    }
    const chunks: Buffer[] = [];
    let bytes = 0;
    let settled = false;
    request.on("data", (chunk: Buffer) => {
      if (settled) return;
      bytes += chunk.length;
      if (bytes > maxBytes) {
        settled = true;
        resolve({ ok: false, reason: "too_large" });
        return;
      }
      chunks.push(chunk);
    });
    request.on("end", () => {
      if (settled) return;
      settled = true;
      resolve({ ok: true, text: Buffer.concat(chunks).toString("utf8"), bytes });
    });
    request.on("error", (error) => {
      if (settled) return;
      settled = true;
      reject(error);
    });
  });
}

export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    ...headers,
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text, "utf8"),
    "cache-control": "no-store",
  });
  response.end(text);
}

/** `{ "error": { "code", "message" } }`, the protocol's refusal body. */
export function sendError(
  response: ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  sendJson(
    response,
    status,
    { error: { code, message: truncateUtf8(message, MAX_ERROR_MESSAGE_BYTES, "…") } },
    headers,
  );
}
