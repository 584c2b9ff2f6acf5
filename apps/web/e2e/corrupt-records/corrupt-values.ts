import fc from "fast-check";

/** The ways a stored value goes bad: a manual edit, a bad migration, a disk fault, a bug. */
export const CORRUPTIONS = [
  "not-json",
  "wrong-shape",
  "unknown-version",
  "wrong-type",
  "truncated",
  "oversized",
  "empty",
] as const;
export type Corruption = (typeof CORRUPTIONS)[number];

export interface CorruptValue {
  corruption: Corruption;
  /** Stored as is: raw text, never encoded again. */
  text: string;
}

/** What a healthy stored record looks like, so a cut one is realistic (markdown, code, ü). */
const REALISTIC = JSON.stringify({
  v: 1,
  thread: { _type: "chat:Thread", id: "slack:C0GENERAL1:1796293206.537000", isDM: false },
  message: {
    text: "Could you check why `pnpm install` fails?\n\n```bash\npnpm install\n```\nMerci, ça marche ✓",
    links: ["https://example.com/ci/runs/42?tab=logs"],
  },
});

const byCorruption: Record<Corruption, fc.Arbitrary<string>> = {
  "not-json": fc.constantFrom(
    "{not json at all",
    "<html><body>502 Bad Gateway</body></html>",
    "undefined",
    "{'single': 'quotes'}",
    "NaN",
  ),
  "wrong-shape": fc
    .record({
      unexpected: fc.string({ maxLength: 40 }),
      nested: fc.array(fc.integer(), { maxLength: 3 }),
    })
    .map((value) => JSON.stringify(value)),
  "unknown-version": fc
    .integer({ min: 2, max: 1_000 })
    .map((v) => JSON.stringify({ ...(JSON.parse(REALISTIC) as object), v })),
  "wrong-type": fc
    .oneof(
      fc.integer(),
      fc.boolean(),
      fc.array(fc.string({ maxLength: 12 }), { maxLength: 3 }),
      fc.constant("not-an-id-ü"),
    )
    .map((value) => JSON.stringify(value)),
  truncated: fc.integer({ min: 1, max: REALISTIC.length - 1 }).map((at) => REALISTIC.slice(0, at)),
  oversized: fc
    .integer({ min: 200_000, max: 400_000 })
    .map((size) => JSON.stringify({ v: 1, junk: "x".repeat(size) })),
  empty: fc.constant(""),
};

export const corruptValue: fc.Arbitrary<CorruptValue> = fc
  .constantFrom(...CORRUPTIONS)
  .chain((corruption) => byCorruption[corruption].map((text) => ({ corruption, text })));
