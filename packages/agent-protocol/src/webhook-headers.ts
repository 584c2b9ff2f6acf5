/**
 * Standard Webhooks headers: reading them from whatever the HTTP layer hands over, and checking
 * their shape before any cryptography runs.
 */
import { MAX_SIGNATURE_HEADER_LENGTH, MAX_WEBHOOK_ID_LENGTH } from "./limits";

export const WEBHOOK_ID_HEADER = "webhook-id";
export const WEBHOOK_TIMESTAMP_HEADER = "webhook-timestamp";
export const WEBHOOK_SIGNATURE_HEADER = "webhook-signature";
/** The only scheme this protocol signs with: HMAC-SHA256, base64, `v1,` prefix. */
export const SIGNATURE_VERSION = "v1";

// A type alias, not an interface, so it is assignable to a header record.
export type CallbackSignatureHeaders = {
  "webhook-id": string;
  "webhook-timestamp": string;
  "webhook-signature": string;
};

/**
 * A fetch `Headers`, or a plain record such as Node's `IncomingHttpHeaders` (matched without regard
 * to case). The library's own verify only reads plain records: a `Headers` object looks empty to it.
 */
export type HeaderSource =
  | { get(name: string): string | null }
  | Readonly<Record<string, string | readonly string[] | undefined>>;

export function readHeader(source: HeaderSource, name: string): string | undefined {
  if (typeof (source as { get?: unknown }).get === "function") {
    return (source as { get(name: string): string | null }).get(name) ?? undefined;
  }
  const record = source as Readonly<Record<string, string | readonly string[] | undefined>>;
  for (const key of Object.keys(record)) {
    if (key.toLowerCase() !== name) continue;
    const value = record[key];
    // Repeated header lines: join as fetch does; the format checks below then reject them.
    return typeof value === "string" ? value : value?.join(", ");
  }
  return undefined;
}

const WEBHOOK_ID_PATTERN = new RegExp(`^[\\x21-\\x7E]{1,${MAX_WEBHOOK_ID_LENGTH}}$`);
// No leading zeros: the signed content must use the header text and its number alike.
const TIMESTAMP_PATTERN = /^(?:0|[1-9][0-9]{0,14})$/;

export type HeaderReading =
  | { ok: true; webhookId: string; timestamp: number; signatures: string[] }
  | { ok: false; code: "missing_headers" | "invalid_headers" };

/**
 * The three headers, checked strictly: the library's parseInt would take `"17e9"` or `"12abc"`
 * as a timestamp; here only digits pass.
 */
export function readSignatureHeaders(source: HeaderSource): HeaderReading {
  const webhookId = readHeader(source, WEBHOOK_ID_HEADER);
  const timestampText = readHeader(source, WEBHOOK_TIMESTAMP_HEADER);
  const signatureText = readHeader(source, WEBHOOK_SIGNATURE_HEADER);
  if (!webhookId || !timestampText || !signatureText) return { ok: false, code: "missing_headers" };

  if (!WEBHOOK_ID_PATTERN.test(webhookId) || !TIMESTAMP_PATTERN.test(timestampText)) {
    return { ok: false, code: "invalid_headers" };
  }
  if (signatureText.length > MAX_SIGNATURE_HEADER_LENGTH) {
    return { ok: false, code: "invalid_headers" };
  }
  // Space-delimited `version,signature` pairs; versions other than v1 (e.g. v1a) are ignored.
  const signatures: string[] = [];
  for (const entry of signatureText.split(" ")) {
    const comma = entry.indexOf(",");
    if (comma > 0 && entry.slice(0, comma) === SIGNATURE_VERSION) {
      signatures.push(entry.slice(comma + 1));
    }
  }
  return { ok: true, webhookId, timestamp: Number(timestampText), signatures };
}
