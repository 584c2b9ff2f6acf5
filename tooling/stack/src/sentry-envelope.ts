import { brotliDecompressSync, gunzipSync, inflateSync } from "node:zlib";

/** One item of a Sentry envelope: its header line and its payload (parsed JSON when it is JSON). */
export interface SentryEnvelopeItem {
  header: { type?: string; length?: number; [key: string]: unknown };
  payload: unknown;
}

export interface SentryEnvelope {
  header: Record<string, unknown>;
  items: SentryEnvelopeItem[];
}

/** The fields of a Sentry error event the tests look at; the rest is kept as sent. */
export interface SentryEvent {
  event_id?: string;
  level?: string;
  message?: unknown;
  tags?: Record<string, string>;
  contexts?: Record<string, Record<string, unknown> | undefined>;
  exception?: { values?: { type?: string; value?: string }[] };
  [key: string]: unknown;
}

/** Undoes the transport's compression (the SDK gzips large bodies); sniffs gzip without a header. */
export function decodeBody(body: Buffer, contentEncoding: string | undefined): Buffer {
  const encoding = (contentEncoding ?? "").trim().toLowerCase();
  if (encoding === "gzip" || (body[0] === 0x1f && body[1] === 0x8b)) return gunzipSync(body);
  if (encoding === "deflate") return inflateSync(body);
  if (encoding === "br") return brotliDecompressSync(body);
  return body;
}

function parsePayload(bytes: Buffer): unknown {
  const text = bytes.toString("utf8");
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Parses the envelope format: a header line, then per item a header line and a payload that is
 * either `length` bytes (when the item header says so) or the rest of the line.
 */
export function parseEnvelope(body: Buffer): SentryEnvelope {
  let position = 0;
  const readLine = (): Buffer => {
    const end = body.indexOf(0x0a, position);
    const line = body.subarray(position, end === -1 ? body.length : end);
    position = end === -1 ? body.length : end + 1;
    return line;
  };
  const header = JSON.parse(readLine().toString("utf8") || "{}") as Record<string, unknown>;
  const items: SentryEnvelopeItem[] = [];
  while (position < body.length) {
    const headerLine = readLine();
    if (headerLine.length === 0) continue;
    const itemHeader = JSON.parse(headerLine.toString("utf8")) as SentryEnvelopeItem["header"];
    let payload: Buffer;
    if (typeof itemHeader.length === "number") {
      payload = body.subarray(position, position + itemHeader.length);
      position += itemHeader.length;
      if (body[position] === 0x0a) position += 1;
    } else {
      payload = readLine();
    }
    items.push({ header: itemHeader, payload: parsePayload(payload) });
  }
  return { header, items };
}
