import { createHmac, randomBytes } from "node:crypto";
import {
  MAX_SIGNATURE_HEADER_LENGTH,
  WEBHOOK_ID_HEADER,
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_TIMESTAMP_HEADER,
} from "@baton/agent-protocol";
import fc from "fast-check";
import {
  baseParts,
  callbackFor,
  expected,
  framing,
  type HeaderLines,
  type HostileCase,
  type HostileWorld,
  nowSeconds,
  type Signed,
  signature,
  signedBase,
  type Target,
} from "./hostile-case";

/** Cases about the credential: the signature, the three headers, a replay. */

const SIGNATURE_HEADERS = [WEBHOOK_ID_HEADER, WEBHOOK_TIMESTAMP_HEADER, WEBHOOK_SIGNATURE_HEADER];
const HMAC_BYTES = 32;
const MAX_FORGERIES_IN_LIST = 20;

const seconds = () => Number(nowSeconds());
const hmacBytes = fc.uint8Array({ minLength: HMAC_BYTES, maxLength: HMAC_BYTES });
const asSignature = (bytes: Uint8Array) => `v1,${Buffer.from(bytes).toString("base64")}`;
const replaceHeader = (lines: HeaderLines, name: string, value: string): HeaderLines =>
  lines.map(([n, v]) => [n, n === name ? value : v]);

type Forgery = { how: string; bytes?: Uint8Array; prefix?: string; count?: number; text?: string };

/** A signature other than the one the request's own secret makes, in every shape. */
function forgedSignature(world: HostileWorld): fc.Arbitrary<HostileCase> {
  const forgery: fc.Arbitrary<Forgery> = fc.oneof(
    hmacBytes.map((bytes) => ({ how: "random-key", bytes })),
    hmacBytes.map((bytes) => ({ how: "random-mac", bytes })),
    fc
      .constantFrom("v2", "v1a", "V1", "v0", "")
      .map((prefix) => ({ how: "other-version", prefix })),
    fc.constantFrom("truncated", "extended", "lowercased", "bit-flipped").map((how) => ({ how })),
    fc.constantFrom("whsec-text-as-key", "other-body", "header-too-long").map((how) => ({ how })),
    fc.integer({ min: 2, max: MAX_FORGERIES_IN_LIST }).map((count) => ({ how: "list", count })),
    fc.stringMatching(/^[!-~]{1,200}$/).map((text) => ({ how: "garbage", text })),
  );
  return fc.tuple(baseParts(world), forgery).map(([base, forged]) => ({
    category: "forged-signature",
    variant: forged.how,
    detail: { ...base, ...forged },
    expect:
      forged.how === "header-too-long"
        ? expected(401, "invalid_headers")
        : expected(401, "bad_signature"),
    build: (w) =>
      signedBase(w, base, {
        edit: (lines, signed) =>
          replaceHeader(lines, WEBHOOK_SIGNATURE_HEADER, forge(forged, signed)),
      }),
  }));
}

function forge(forged: Forgery, signed: Signed): string {
  const { signature: valid, webhookId, timestamp, body, secret } = signed;
  const mac = Buffer.from(valid.slice("v1,".length), "base64");
  switch (forged.how) {
    case "random-key": {
      const key = `whsec_${Buffer.from(forged.bytes as Uint8Array).toString("base64")}`;
      return signature(key, webhookId, timestamp, body);
    }
    case "random-mac":
      return asSignature(forged.bytes as Uint8Array);
    case "other-version":
      return `${forged.prefix},${mac.toString("base64")}`;
    case "truncated":
      return valid.slice(0, -2);
    case "extended":
      return `${valid}A`;
    case "lowercased":
      return valid.toLowerCase();
    case "bit-flipped":
      mac[0] = (mac[0] as number) ^ 1;
      return asSignature(mac);
    case "whsec-text-as-key": {
      // The README's classic mistake: the `whsec_...` text itself as the HMAC key.
      const hmac = createHmac("sha256", Buffer.from(secret, "utf8"));
      return `v1,${hmac.update(`${webhookId}.${timestamp}.`).update(body).digest("base64")}`;
    }
    case "other-body":
      return signature(secret, webhookId, timestamp, Buffer.concat([body, Buffer.from(" ")]));
    case "header-too-long":
      return `${valid} ${"v1,x".repeat(MAX_SIGNATURE_HEADER_LENGTH / 4)}`;
    case "list":
      return Array.from({ length: forged.count as number }, () =>
        asSignature(randomBytes(HMAC_BYTES)),
      ).join(" ");
    default:
      return forged.text as string;
  }
}

/** A real per-request secret, but another request's than the URL names. */
function otherRequestSecret(world: HostileWorld): fc.Arbitrary<HostileCase> {
  const count = world.targets.length;
  return fc
    .tuple(baseParts(world), fc.integer({ min: 1, max: count }), fc.boolean())
    .map(([base, shift, smuggle]) => {
      // shift === count: the expired request's secret; else another pending request's.
      const owner = (w: HostileWorld): Target =>
        shift === count ? w.expired : (w.targets[(base.target + shift) % count] as Target);
      return {
        category: "other-request-secret",
        variant: `${shift === count ? "expired" : "pending"}${smuggle ? "+its-body" : ""}`,
        detail: { ...base, shift, smuggle },
        expect: expected(401, "bad_signature"),
        build: (w) => {
          const other = owner(w);
          if (!smuggle) return signedBase(w, base, { secret: other.secret });
          const body = JSON.stringify(callbackFor(other, base.type, base.sequence));
          return signedBase(w, base, { secret: other.secret, body });
        },
      };
    });
}

/** One or more of the three headers absent, or present and empty. */
function missingHeaders(world: HostileWorld): fc.Arbitrary<HostileCase> {
  const subset = fc.subarray(SIGNATURE_HEADERS, { minLength: 1 });
  return fc.tuple(baseParts(world), subset, fc.boolean()).map(([base, names, empty]) => ({
    category: "missing-headers",
    variant: empty ? "empty" : "absent",
    detail: { ...base, names, empty },
    expect: expected(401, "missing_headers"),
    build: (w) =>
      signedBase(w, base, {
        edit: (lines) =>
          empty
            ? lines.map(([n, v]) => [n, names.includes(n) ? "" : v])
            : lines.filter(([n]) => !names.includes(n)),
      }),
  }));
}

/**
 * A header line sent twice; the server joins repeats with ", ". A repeated signature never has
 * the valid one last: a list holding the valid signature is an authentic request.
 */
function duplicatedHeaders(world: HostileWorld): fc.Arbitrary<HostileCase> {
  const which = fc.constantFrom(...SIGNATURE_HEADERS);
  return fc
    .tuple(baseParts(world), which, fc.boolean(), fc.boolean(), hmacBytes)
    .map(([base, name, same, shout, bytes]) => {
      const isSignature = name === WEBHOOK_SIGNATURE_HEADER;
      return {
        category: "duplicated-headers",
        variant: `${name}${same ? "" : "+different"}`,
        detail: { ...base, name, same, shout },
        expect: isSignature ? expected(401, "bad_signature") : expected(401, "invalid_headers"),
        build: (w) =>
          signedBase(w, base, {
            edit: (lines, signed) => {
              const forged = asSignature(bytes);
              const value = lines.find(([n]) => n === name)?.[1] ?? "";
              const other = name === WEBHOOK_TIMESTAMP_HEADER ? String(seconds() - 1) : `${value}x`;
              const [first, second] = isSignature
                ? [same ? forged : signed.signature, forged]
                : [value, same ? value : other];
              const rest = lines.filter(([n]) => n !== name);
              return [...rest, [name, first], [shout ? name.toUpperCase() : name, second]];
            },
          }),
      };
    });
}

/** The very bytes of a request Baton accepted, sent again (the framing is not signed). */
function replay(world: HostileWorld): fc.Arbitrary<HostileCase> {
  return fc.tuple(fc.nat({ max: world.accepted.length - 1 }), framing).map(([index, framed]) => ({
    category: "replay",
    variant: framed,
    detail: { accepted: index, framing: framed },
    expect: expected(409, "replayed"),
    build: (w) => {
      const accepted = w.accepted[index] as HostileWorld["accepted"][number];
      return { ...accepted.request, framing: framed };
    },
  }));
}

export function credentialCases(world: HostileWorld): fc.Arbitrary<HostileCase>[] {
  return [
    forgedSignature(world),
    otherRequestSecret(world),
    missingHeaders(world),
    duplicatedHeaders(world),
    replay(world),
  ];
}
