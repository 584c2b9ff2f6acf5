import { CALLBACK_TYPES, type CallbackType, PROTOCOL_VERSION } from "@baton/agent-protocol";
import fc from "fast-check";
import {
  type BaseParts,
  baseParts,
  callbackFor,
  expected,
  type HostileCase,
  type HostileWorld,
  signedBase,
  type Target,
} from "./hostile-case";

/**
 * Cases about what the body says, each correctly signed for the URL's request so that the body is
 * the only thing wrong: not JSON, the wrong shape, a type or version Baton does not speak, another
 * request's id.
 */

const KNOWN_TYPES: readonly string[] = CALLBACK_TYPES;
const target = (w: HostileWorld, base: BaseParts) => w.targets[base.target] as Target;
const validBody = (w: HostileWorld, base: BaseParts) =>
  callbackFor(target(w, base), base.type, base.sequence);

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

const JS_ISMS = [
  "{'protocolVersion': 1}",
  '{"protocolVersion": 1,}',
  '{protocolVersion: 1, "type": "progress"}',
  '{"sequence": NaN}',
  '{"sequence": undefined}',
  '{"a": 1} // comment',
  "/* c */ {}",
  '{"a": 0x10}',
  '{"a": .5}',
  '{"a": "tab\tinside"}',
  "\uFEFF{}", // a byte order mark
];

/** Text that is not JSON: random, cut short, with a tail, JavaScript-isms, broken UTF-8. */
function malformedJson(world: HostileWorld): fc.Arbitrary<HostileCase> {
  type Shape = { how: string; text?: string; cut?: number; tail?: string };
  const notJson = fc.string({ unit: "binary", maxLength: 300 }).filter((text) => !parses(text));
  const shape = fc.oneof<fc.Arbitrary<Shape>[]>(
    notJson.map((text) => ({ how: "random", text })),
    fc.double({ min: 0.01, max: 0.99, noNaN: true }).map((cut) => ({ how: "truncated", cut })),
    fc.constantFrom("x", ",", "}", "]", "{}", '"').map((tail) => ({ how: "tail", tail })),
    fc.constantFrom(...JS_ISMS).map((text) => ({ how: "js-ism", text })),
    fc.constant({ how: "invalid-utf8" }),
  );
  return fc.tuple(baseParts(world), shape).map(([base, s]) => ({
    category: "malformed-json",
    variant: s.how,
    detail: { ...base, ...s },
    expect: changedByDecoding(s) ? expected(401, "bad_signature") : expected(400, "invalid_json"),
    build: (w: HostileWorld) => {
      const json = JSON.stringify(validBody(w, base));
      const body =
        s.text !== undefined
          ? s.text
          : s.cut !== undefined
            ? json.slice(0, Math.max(1, Math.floor(json.length * s.cut)))
            : s.tail !== undefined
              ? `${json}${s.tail}`
              : Buffer.concat([Buffer.from(json.slice(0, -1)), Buffer.from([0xff, 0xfe, 0x7d])]);
      return signedBase(w, base, { body });
    },
  }));
}

/**
 * The route reads the body as text (UTF-8, WHATWG decode): broken sequences become U+FFFD and a
 * leading byte order mark is dropped, so what Baton hashes is not what was signed.
 */
function changedByDecoding(shape: { how: string; text?: string }): boolean {
  return shape.how === "invalid-utf8" || (shape.text?.startsWith("\uFEFF") ?? false);
}

type JsonKind = "number" | "string" | "object" | "array" | "boolean" | "null";
const jsonKind = (value: unknown): JsonKind =>
  value === null ? "null" : Array.isArray(value) ? "array" : (typeof value as JsonKind);

/** What each field must be; a value of any other JSON kind is a wrong type. */
const FIELD_KINDS: Record<string, JsonKind> = {
  protocolVersion: "number",
  type: "string",
  botRequestId: "string",
  agentSessionId: "string",
  executionId: "string",
  sequence: "number",
  sentAt: "string",
  message: "string",
  step: "number",
  text: "string",
  error: "object",
  reason: "string",
};
const anyJson = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.string({ maxLength: 20 }),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 2 }),
);
/** The callback type a field belongs to; envelope fields belong to all. */
const FIELD_OWNER: Record<string, CallbackType> = {
  message: "progress",
  step: "progress",
  text: "completed",
  error: "failed",
  reason: "cancelled",
};
/** Right kind, wrong value. */
const BAD_VALUES: ReadonlyArray<readonly [string, unknown]> = [
  ["sequence", -1],
  ["sequence", 1.5],
  ["sequence", 2 ** 60],
  ["sentAt", "yesterday"],
  ["sentAt", "2025-01-15T12:00:00"], // no offset
  ["agentSessionId", "has space"],
  ["agentSessionId", "x".repeat(257)],
  ["executionId", ""],
  ["botRequestId", "../etc/passwd"],
  ["error", { code: "has space", message: "m" }],
  ["step", 0],
  ["step", 10_001],
];

/** JSON, and an object, but not a callback: wrong kinds, bad values, missing fields, not an object. */
function wrongTypes(world: HostileWorld): fc.Arbitrary<HostileCase> {
  const field = fc.constantFrom(...Object.keys(FIELD_KINDS));
  const change = fc.oneof(
    fc
      .tuple(field, anyJson)
      .filter(([name, value]) => jsonKind(value) !== FIELD_KINDS[name])
      .map(([name, value]) => ({ how: "wrong-kind", name, value })),
    fc.constantFrom(...BAD_VALUES).map(([name, value]) => ({ how: "bad-value", name, value })),
    fc
      .constantFrom("protocolVersion", "type", "botRequestId", "sequence", "sentAt")
      .map((name) => ({ how: "missing", name, value: undefined })),
    anyJson
      .filter((value) => jsonKind(value) !== "object")
      .map((value) => ({ how: "not-an-object", name: "", value })),
  );
  return fc.tuple(baseParts(world), change).map(([base, c]) => ({
    category: "wrong-types",
    variant: c.how,
    detail: { ...base, ...c },
    expect: expected(400, "invalid_body"),
    build: (w) => {
      if (c.how === "not-an-object") return signedBase(w, base, { body: JSON.stringify(c.value) });
      // A type that has the field: an unknown field is ignored, not refused.
      const owned = { ...base, type: FIELD_OWNER[c.name] ?? base.type };
      const body = withField(validBody(w, owned), c.name, c.value);
      return signedBase(w, owned, { body: JSON.stringify(body) });
    },
  }));
}

function withField(body: Record<string, unknown>, name: string, value: unknown) {
  const copy: Record<string, unknown> = { ...body, [name]: value };
  if (value === undefined) delete copy[name];
  return copy;
}

/** A `type` string Baton does not know, near misses included. */
function unknownType(world: HostileWorld): fc.Arbitrary<HostileCase> {
  const name = fc.oneof(
    fc.string({ maxLength: 30 }),
    fc.constantFrom("Progress", "COMPLETED", " progress", "failed ", "cancel", "canceled", "done"),
  );
  return fc
    .tuple(
      baseParts(world),
      name.filter((t) => !KNOWN_TYPES.includes(t)),
    )
    .map(([base, type]) => ({
      category: "unknown-type",
      variant: KNOWN_TYPES.includes(type.trim().toLowerCase()) ? "near-miss" : "other",
      detail: { ...base, unknownType: type },
      expect: expected(400, "unknown_type"),
      build: (w) => signedBase(w, base, { body: JSON.stringify({ ...validBody(w, base), type }) }),
    }));
}

/** Any number but 1 as `protocolVersion`. */
function unsupportedVersion(world: HostileWorld): fc.Arbitrary<HostileCase> {
  const version = fc
    .oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }))
    .filter((v) => v !== PROTOCOL_VERSION);
  return fc.tuple(baseParts(world), version).map(([base, protocolVersion]) => ({
    category: "unsupported-version",
    variant: Number.isInteger(protocolVersion) ? "integer" : "fraction",
    detail: { ...base, protocolVersion },
    expect: expected(400, "unsupported_version"),
    build: (w) =>
      signedBase(w, base, { body: JSON.stringify({ ...validBody(w, base), protocolVersion }) }),
  }));
}

/** Signed for the URL's request, naming another one in the body. */
function requestMismatch(world: HostileWorld): fc.Arbitrary<HostileCase> {
  type Named = { how: string; shift?: number; id?: string };
  const named = fc.oneof<fc.Arbitrary<Named>[]>(
    fc
      .integer({ min: 1, max: world.targets.length - 1 })
      .map((shift) => ({ how: "pending", shift })),
    fc.constant({ how: "expired" }),
    fc.stringMatching(/^[A-Za-z0-9_-]{1,128}$/).map((id) => ({ how: "unknown", id })),
    fc.constant({ how: "case-changed" }),
    fc.constantFrom("", "a b", "é", "x".repeat(129)).map((id) => ({ how: "malformed", id })),
  );
  return fc.tuple(baseParts(world), named).map(([base, n]) => ({
    category: "request-mismatch",
    variant: n.how,
    detail: { ...base, ...n },
    expect:
      n.how === "malformed" ? expected(400, "invalid_body") : expected(400, "request_mismatch"),
    build: (w) => {
      const own = target(w, base).id;
      const count = w.targets.length;
      const id =
        n.shift !== undefined
          ? (w.targets[(base.target + n.shift) % count] as Target).id
          : n.how === "expired"
            ? w.expired.id
            : n.how === "case-changed"
              ? own.toUpperCase()
              : n.id === own
                ? `${own}x`
                : n.id;
      return signedBase(w, base, {
        body: JSON.stringify({ ...validBody(w, base), botRequestId: id }),
      });
    },
  }));
}

export function jsonCases(world: HostileWorld): fc.Arbitrary<HostileCase>[] {
  return [
    malformedJson(world),
    wrongTypes(world),
    unknownType(world),
    unsupportedVersion(world),
    requestMismatch(world),
  ];
}
