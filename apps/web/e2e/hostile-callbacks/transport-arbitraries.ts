import { MAX_CALLBACK_BODY_BYTES } from "@baton/agent-protocol";
import fc from "fast-check";
import {
  type BaseParts,
  baseParts,
  callbackFor,
  expected,
  framing,
  type HostileCase,
  type HostileWorld,
  signedBase,
  type Target,
} from "./hostile-case";

/**
 * Cases about how the body travels, each correctly signed: too large (with and without a
 * Content-Length), announced as another media type, or absent.
 */

const validBody = (w: HostileWorld, base: BaseParts) =>
  callbackFor(w.targets[base.target] as Target, base.type, base.sequence);

/** Over 1 MiB, with a truthful Content-Length or chunked without one; multi-byte text too. */
function oversizedBody(world: HostileWorld): fc.Arbitrary<HostileCase> {
  const excess = fc.oneof(fc.integer({ min: 1, max: 16 }), fc.integer({ min: 1, max: 512 * 1024 }));
  // Characters of 1, 2, 3 and 4 UTF-8 bytes: the limit counts bytes, not characters.
  const filler = fc.constantFrom("a", "é", "€", "😀");
  return fc.tuple(baseParts(world), excess, filler, framing).map(([base, over, char, framed]) => ({
    category: "oversized-body",
    variant: `${framed}/${Buffer.byteLength(char)}-byte`,
    detail: { ...base, over, char, framing: framed },
    expect: expected(413, "body_too_large"),
    build: (w) => {
      const body = JSON.stringify({ ...validBody(w, base), message: "" });
      const room = MAX_CALLBACK_BODY_BYTES + over - Buffer.byteLength(body);
      const padding = char.repeat(Math.ceil(room / Buffer.byteLength(char)));
      const padded = body.replace('"message":""', `"message":"${padding}"`);
      return signedBase(w, base, { body: padded, framing: framed });
    },
  }));
}

const NOT_JSON_TYPES = [
  "text/plain",
  "text/json",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "application/xml",
  "application/jsonp",
  "application/json-patch+json",
  "application/ld+json",
  "application/javascript",
  "*/*",
  "application",
  "json",
  "application/json+x",
  "x, application/json",
];

/** A correctly signed callback announced as anything but application/json, or not at all. */
function wrongContentType(world: HostileWorld): fc.Arbitrary<HostileCase> {
  const contentType = fc.oneof(
    fc.constantFrom<string | null>(null, ...NOT_JSON_TYPES),
    fc.stringMatching(/^[a-z]{1,12}\/[a-z0-9.+-]{1,20}$/).filter((t) => t !== "application/json"),
  );
  return fc.tuple(baseParts(world), contentType).map(([base, type]) => ({
    category: "wrong-content-type",
    variant: type === null ? "absent" : NOT_JSON_TYPES.includes(type) ? type : "random",
    detail: { ...base, contentType: type },
    expect: expected(415, "unsupported_media_type"),
    build: (w) => signedBase(w, base, { contentType: type }),
  }));
}

/** No body: signed (for an empty body) or not, with Content-Length 0 or zero chunks. */
function emptyBody(world: HostileWorld): fc.Arbitrary<HostileCase> {
  return fc.tuple(baseParts(world), fc.boolean(), framing).map(([base, signed, framed]) => ({
    category: "empty-body",
    variant: `${signed ? "signed" : "unsigned"}/${framed}`,
    detail: { ...base, signed, framing: framed },
    expect: signed ? expected(400, "invalid_json") : expected(401, "missing_headers"),
    build: (w) =>
      signedBase(w, base, {
        body: "",
        framing: framed,
        ...(signed ? {} : { edit: (lines) => lines.filter(([n]) => n === "content-type") }),
      }),
  }));
}

export function transportCases(world: HostileWorld): fc.Arbitrary<HostileCase>[] {
  return [oversizedBody(world), wrongContentType(world), emptyBody(world)];
}
