import { DEFAULT_TOLERANCE_SECONDS } from "@baton/agent-protocol";
import fc from "fast-check";
import {
  baseParts,
  expected,
  type HostileCase,
  type HostileWorld,
  nowSeconds,
  signedBase,
} from "./hostile-case";

/**
 * Cases about `webhook-timestamp`, each signed over the stamp exactly as written: too old, in the
 * future, or not in the format (digits only, no leading zero, at most fifteen).
 */

/** The server's clock ticks on while a request travels: a "future" stamp keeps this margin. */
const FUTURE_MARGIN_SECONDS = 10;
/** Fifteen digits: the longest timestamp the header format admits. */
const MAX_TIMESTAMP = "999999999999999";
const TIMESTAMP_FORMAT = /^(?:0|[1-9][0-9]{0,14})$/;
/** About 63 years: far enough back to be absurd, still a valid stamp. */
const FAR_PAST_SECONDS = 2_000_000_000;
/** Up to this far outside the window counts as "just outside". */
const NEAR_MISS_SECONDS = 120;

const seconds = () => Number(nowSeconds());

type Stamp = {
  kind: "too-old" | "in-future" | "malformed";
  /** What was generated: `now-400s`, `0<now>`, `abc`. */
  spec: string;
  variant: string;
  text: () => string;
};

const tooOld: fc.Arbitrary<Stamp> = fc
  .oneof(
    fc.integer({
      min: DEFAULT_TOLERANCE_SECONDS + 1,
      max: DEFAULT_TOLERANCE_SECONDS + NEAR_MISS_SECONDS,
    }),
    fc.integer({ min: DEFAULT_TOLERANCE_SECONDS + 1, max: FAR_PAST_SECONDS }),
  )
  .map((ago) => ({
    kind: "too-old",
    spec: `now-${ago}s`,
    variant: ago <= DEFAULT_TOLERANCE_SECONDS + NEAR_MISS_SECONDS ? "just-outside" : "far",
    text: () => String(Math.max(0, seconds() - ago)),
  }));

const inFuture: fc.Arbitrary<Stamp> = fc.oneof(
  fc.integer({ min: DEFAULT_TOLERANCE_SECONDS + FUTURE_MARGIN_SECONDS, max: 10_000_000 }).map(
    (ahead): Stamp => ({
      kind: "in-future",
      spec: `now+${ahead}s`,
      variant: "seconds",
      text: () => String(seconds() + ahead),
    }),
  ),
  fc.constant<Stamp>({
    kind: "in-future",
    spec: "milliseconds",
    variant: "milliseconds",
    text: () => String(Date.now()),
  }),
  fc.constant<Stamp>({ kind: "in-future", spec: "max", variant: "max", text: () => MAX_TIMESTAMP }),
);

/** Around the current stamp (so only the format is wrong), or any text that is not digits. */
const DECORATIONS: ReadonlyArray<readonly [string, string]> = [
  ["0", ""],
  ["00", ""],
  ["+", ""],
  ["-", ""],
  ["", ".0"],
  ["", ".5"],
  ["", "abc"],
  ["", "e0"],
  ["0x", ""],
  ["", "\u00b9"], // superscript one (Latin-1): a digit to some parsers, not to the format
  ["1", "0000000000"], // sixteen digits
];
const malformed: fc.Arbitrary<Stamp> = fc.oneof(
  fc.constantFrom(...DECORATIONS).map(
    ([before, after]): Stamp => ({
      kind: "malformed",
      spec: `${before}<now>${after}`,
      variant: `${before}<now>${after}`,
      text: () => `${before}${nowSeconds()}${after}`,
    }),
  ),
  fc
    .stringMatching(/^[!-~]{1,20}$/)
    .filter((text) => !TIMESTAMP_FORMAT.test(text))
    .map(
      (text): Stamp => ({ kind: "malformed", spec: text, variant: "garbage", text: () => text }),
    ),
);

const STAMP_ANSWERS = {
  "too-old": expected(401, "timestamp_too_old"),
  "in-future": expected(401, "timestamp_in_future"),
  malformed: expected(401, "invalid_headers"),
};

/** Correctly signed over the stamp as written, but outside the window or not in the format. */
function badTimestamp(world: HostileWorld, stamps: fc.Arbitrary<Stamp>): fc.Arbitrary<HostileCase> {
  return fc.tuple(baseParts(world), stamps).map(([base, stamp]) => ({
    category: `timestamp-${stamp.kind}`,
    variant: stamp.variant,
    detail: { ...base, kind: stamp.kind, spec: stamp.spec },
    expect: STAMP_ANSWERS[stamp.kind],
    build: (w) => signedBase(w, base, { timestamp: stamp.text() }),
  }));
}

export function timestampCases(world: HostileWorld): fc.Arbitrary<HostileCase>[] {
  return [
    badTimestamp(world, tooOld),
    badTimestamp(world, inFuture),
    badTimestamp(world, malformed),
  ];
}
