import { createHmac } from "node:crypto";
import {
  CALLBACK_TYPES,
  type CallbackType,
  decodeSigningSecret,
  PROTOCOL_VERSION,
  WEBHOOK_ID_HEADER,
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_TIMESTAMP_HEADER,
} from "@baton/agent-protocol";
import fc from "fast-check";
import type { RawRequest } from "./raw-post";

/**
 * What every generated hostile request is made of: the world it is aimed at (real pending requests
 * and their real secrets), the case itself, and the helpers that sign and frame it.
 */

export const CALLBACK_PATH = "/api/internal/bot-session-callback/";

/** A request Baton holds, waiting for an agent that never calls back. */
export interface Target {
  id: string;
  agentSessionId: string;
  executionId: string;
  threadTs: string;
  /** Its real per-request signing secret. */
  secret: string;
}

/** A signed request Baton accepted (200), kept byte for byte to be replayed. */
export interface AcceptedDelivery {
  request: RawRequest;
}

export interface HostileWorld {
  serverSecret: string;
  /** At least two, so one request's credential can be aimed at another. */
  targets: Target[];
  /** A real request whose state has expired from the store. */
  expired: Target;
  accepted: AcceptedDelivery[];
}

/** The one answer a case must get: a status and the codes that may come with it. */
export interface Expected {
  status: number;
  codes: readonly string[];
}

export interface HostileCase {
  category: string;
  variant: string;
  /** What was generated, printed for a violation (the request itself can be a megabyte). */
  detail: Record<string, unknown>;
  expect: Expected;
  build(world: HostileWorld): RawRequest;
}

export function expected(status: number, ...codes: string[]): Expected {
  return { status, codes };
}

/** The parts of a well-formed, correctly signed callback a case then breaks one thing in. */
export interface BaseParts {
  target: number;
  type: CallbackType;
  sequence: number;
  webhookId: string;
}

/** Above the one progress callback accepted per target, so an accepted case would show. */
const MIN_SEQUENCE = 2;
const MAX_SEQUENCE = 1_000_000;

export function baseParts(world: HostileWorld): fc.Arbitrary<BaseParts> {
  return fc.record({
    target: fc.nat({ max: world.targets.length - 1 }),
    type: fc.constantFrom(...CALLBACK_TYPES),
    sequence: fc.integer({ min: MIN_SEQUENCE, max: MAX_SEQUENCE }),
    // Any id the protocol allows: printable ASCII without spaces.
    webhookId: fc.stringMatching(/^[\x21-\x7E]{1,64}$/),
  });
}

/** A callback a real agent could send for `target`: valid in every field. */
export function callbackFor(
  target: Pick<Target, "id" | "agentSessionId" | "executionId">,
  type: CallbackType,
  sequence: number,
): Record<string, unknown> {
  const envelope = {
    protocolVersion: PROTOCOL_VERSION,
    type,
    botRequestId: target.id,
    agentSessionId: target.agentSessionId,
    executionId: target.executionId,
    sequence,
    sentAt: new Date().toISOString(),
  };
  switch (type) {
    case "progress":
      return { ...envelope, message: "hostile progress that must never be shown", step: 1 };
    case "completed":
      return { ...envelope, text: "A forged answer that must never be posted." };
    case "failed":
      return { ...envelope, error: { code: "hostile", message: "must never be shown" } };
    case "cancelled":
      return { ...envelope, reason: "hostile cancel" };
  }
}

export function nowSeconds(): string {
  return String(Math.floor(Date.now() / 1000));
}

/** `v1,` + base64 HMAC-SHA256 over `id.timestamp.body`, the body as the bytes sent. */
export function signature(secret: string, webhookId: string, timestamp: string, body: Buffer) {
  const hmac = createHmac("sha256", decodeSigningSecret(secret));
  hmac.update(`${webhookId}.${timestamp}.`, "utf8");
  hmac.update(body);
  return `v1,${hmac.digest("base64")}`;
}

export type HeaderLines = Array<[string, string]>;

export interface SignedParts {
  idSegment: string;
  body: Buffer | string;
  secret: string;
  webhookId: string;
  /** The header text; the signature covers it as written. Default: now. */
  timestamp?: string;
  /** null: no Content-Type header. */
  contentType?: string | null;
  framing?: RawRequest["framing"];
  /** Last word on the header lines (drop, duplicate, replace). */
  edit?: (lines: HeaderLines, signed: Signed) => HeaderLines;
}

/** What the valid signature was made of, for a case that forges another. */
export interface Signed {
  signature: string;
  secret: string;
  webhookId: string;
  timestamp: string;
  body: Buffer;
}

/** A correctly signed request; `edit` then breaks exactly what the case is about. */
export function signedRequest(parts: SignedParts): RawRequest {
  const body = typeof parts.body === "string" ? Buffer.from(parts.body, "utf8") : parts.body;
  const timestamp = parts.timestamp ?? nowSeconds();
  const { secret, webhookId } = parts;
  const signed = {
    signature: signature(secret, webhookId, timestamp, body),
    secret,
    webhookId,
    timestamp,
    body,
  };
  const contentType = parts.contentType === undefined ? "application/json" : parts.contentType;
  let lines: HeaderLines = [
    ...(contentType === null ? [] : [["content-type", contentType] as [string, string]]),
    [WEBHOOK_ID_HEADER, parts.webhookId],
    [WEBHOOK_TIMESTAMP_HEADER, timestamp],
    [WEBHOOK_SIGNATURE_HEADER, signed.signature],
  ];
  if (parts.edit) lines = parts.edit(lines, signed);
  return {
    path: `${CALLBACK_PATH}${parts.idSegment}`,
    headers: lines,
    body,
    framing: parts.framing ?? "content-length",
  };
}

/** The common case: `base`'s callback for its target, at its target's URL, with its secret. */
export function signedBase(
  world: HostileWorld,
  base: BaseParts,
  overrides: Partial<SignedParts> = {},
): RawRequest {
  const target = world.targets[base.target] as Target;
  return signedRequest({
    idSegment: target.id,
    body: JSON.stringify(callbackFor(target, base.type, base.sequence)),
    secret: target.secret,
    webhookId: base.webhookId,
    ...overrides,
  });
}

export const framing = fc.constantFrom<RawRequest["framing"]>("content-length", "chunked");
