import {
  deriveRequestSecret,
  isBotRequestId,
  MAX_BOT_REQUEST_ID_LENGTH,
} from "@baton/agent-protocol";
import fc from "fast-check";
import {
  type BaseParts,
  baseParts,
  callbackFor,
  expected,
  type HostileCase,
  type HostileWorld,
  signedBase,
  signedRequest,
} from "./hostile-case";

/**
 * Cases about the request the URL names: one Baton never issued or no longer holds (validly
 * signed with the secret derived for it), or a path segment that is no request id at all.
 */

/** Longest id tried: the whole request head must stay under Node's 16 KiB header limit. */
const MAX_ODD_ID_LENGTH = 4096;
/** A callback for `id`, from someone holding the secret Baton would derive for it. */
function signedFor(world: HostileWorld, id: string, base: BaseParts) {
  const target = { id, agentSessionId: "sess_hostile", executionId: "exec_hostile" };
  return signedRequest({
    idSegment: id,
    body: JSON.stringify(callbackFor(target, base.type, base.sequence)),
    secret: deriveRequestSecret(world.serverSecret, id),
    webhookId: base.webhookId,
  });
}

/** Never issued: random well-formed ids, uuid-shaped ones like Baton's own. */
function unknownRequest(world: HostileWorld): fc.Arbitrary<HostileCase> {
  const taken = new Set([...world.targets.map((t) => t.id), world.expired.id]);
  const id = fc
    .oneof(
      fc.stringMatching(new RegExp(`^[A-Za-z0-9_-]{1,${MAX_BOT_REQUEST_ID_LENGTH}}$`)),
      fc.uuid(),
    )
    .filter((candidate) => !taken.has(candidate));
  return fc.tuple(baseParts(world), id).map(([base, unknown]) => ({
    category: "unknown-request",
    variant: base.type,
    detail: { ...base, id: unknown },
    expect: expected(410, "request_gone"),
    build: (w) => signedFor(w, unknown, base),
  }));
}

/** A request Baton once held, whose state has expired: signed with its real secret. */
function expiredRequest(world: HostileWorld): fc.Arbitrary<HostileCase> {
  return baseParts(world).map((base) => ({
    category: "expired-request",
    variant: base.type,
    detail: { ...base },
    expect: expected(410, "request_gone"),
    build: (w) =>
      signedRequest({
        idSegment: w.expired.id,
        body: JSON.stringify(callbackFor(w.expired, base.type, base.sequence)),
        secret: w.expired.secret,
        webhookId: base.webhookId,
      }),
  }));
}

/** Path segments as sent (already escaped). Pure dot segments are another path: left out. */
const HOSTILE_SEGMENTS = [
  "..%2F..",
  "..%2f..%2f..%2fetc%2fpasswd",
  "%2e%2e%2f",
  "..%5C..",
  "%00",
  "req%00abc",
  "%0d%0aSet-Cookie:%20x",
  "%E0%A4%A", // truncated UTF-8 escape
  "%",
  "%zz",
  "abc%4",
  "%FF",
  "%C0%AF", // overlong "/"
  "%ED%A0%80", // a UTF-16 surrogate in UTF-8
  "a%20b",
  "%F0%9F%98%80",
  "%252e%252e",
  "%EF%BC%B2%EF%BC%A5%EF%BC%B1", // fullwidth REQ
  "req%E2%80%8B", // zero-width space
  "req%2Fsub",
  "req;x=1",
  "req%3Bx",
  "req'",
  "(req)",
  "r\u00e9q", // a raw Latin-1 byte in the request line
  "...",
];

/** Anything in the id's place that is no request id: escapes, Unicode, dots, a mile long. */
function oddId(world: HostileWorld): fc.Arbitrary<HostileCase> {
  const segment = fc.oneof(
    fc.constantFrom(...HOSTILE_SEGMENTS).map((raw) => ({ how: "hostile", raw })),
    fc
      .string({ unit: "grapheme", minLength: 1, maxLength: 40 })
      .filter((text) => !isBotRequestId(text) && text !== "." && text !== "..")
      .map((text) => ({ how: "unicode", raw: encodeURIComponent(text) })),
    fc
      .tuple(
        fc.integer({ min: MAX_BOT_REQUEST_ID_LENGTH + 1, max: MAX_ODD_ID_LENGTH }),
        fc.stringMatching(/^[A-Za-z0-9_-]{1,16}$/),
      )
      .map(([length, unit]) => ({
        how: "too-long",
        raw: unit.repeat(Math.ceil(length / unit.length)).slice(0, length),
      })),
    fc
      .tuple(
        fc.stringMatching(/^[A-Za-z0-9_-]{0,12}$/),
        fc.stringMatching(/^[0-9A-Fa-f]?[G-Zg-z]?$/),
      )
      .map(([prefix, tail]) => ({ how: "bad-escape", raw: `${prefix}%${tail}` })),
  );
  return fc.tuple(baseParts(world), segment).map(([base, s]) => ({
    category: "odd-id",
    variant: s.how,
    detail: { ...base, how: s.how, raw: s.raw.length > 80 ? `${s.raw.slice(0, 80)}…` : s.raw },
    expect: expected(401, "invalid_request_id"),
    build: (w) => signedBase(w, base, { idSegment: s.raw }),
  }));
}

export function idCases(world: HostileWorld): fc.Arbitrary<HostileCase>[] {
  return [unknownRequest(world), expiredRequest(world), oddId(world)];
}
