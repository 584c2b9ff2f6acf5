import { describe, expect, it } from "vitest";
import { summarize, truncateUtf8 } from "./text";

describe("text helpers", () => {
  it("cuts on character boundaries by UTF-8 bytes", () => {
    expect(truncateUtf8("héllo", 100)).toBe("héllo");
    expect(truncateUtf8("héllo", 2)).toBe("h");
    expect(truncateUtf8("héllo", 3)).toBe("hé");
    expect(truncateUtf8("😀😀", 5)).toBe("😀");
    const cut = truncateUtf8("abcdefghij", 8, "…");
    expect(cut).toBe("abcde…");
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(8);
  });

  it("summarises to one line", () => {
    expect(summarize("a\n\n b  c", 10)).toBe("a b c");
    expect(summarize("abcdefghij", 5)).toBe("abcd…");
  });
});
