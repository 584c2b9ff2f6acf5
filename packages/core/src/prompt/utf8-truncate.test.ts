import { MAX_AUTHOR_BYTES } from "@baton/agent-protocol";
import { describe, expect, it } from "vitest";
import { clipUtf8 } from "./utf8-truncate";

describe("clipUtf8", () => {
  it("keeps a name within the protocol's byte bound, cutting between code points", () => {
    const name = "山田太郎（インフラ担当・オンコール）👩🏽‍💻".repeat(12);
    const clipped = clipUtf8(name, MAX_AUTHOR_BYTES);
    expect(Buffer.byteLength(clipped, "utf8")).toBeLessThanOrEqual(MAX_AUTHOR_BYTES);
    expect(Buffer.byteLength(clipped, "utf8")).toBeGreaterThan(MAX_AUTHOR_BYTES - 4);
    expect(name.startsWith(clipped)).toBe(true);
    expect(clipped).not.toMatch(/[\uD800-\uDBFF]$/);
    expect(clipUtf8("ada", MAX_AUTHOR_BYTES)).toBe("ada");
  });
});
