import { describe, expect, it } from "vitest";
import { replyChunkLimit, splitReply } from "./reply-chunks";

const chars = (text: string) => Array.from(text).length;

describe("splitReply", () => {
  it("keeps a short answer whole", () => {
    expect(splitReply("hello **world**", 100)).toEqual(["hello **world**"]);
  });

  it("splits at paragraph boundaries and keeps every chunk within the limit", () => {
    const paragraphs = Array.from(
      { length: 30 },
      (_, i) => `Paragraph ${i}: ${"word ".repeat(40)}`,
    );
    const text = paragraphs.join("\n\n");
    const chunks = splitReply(text, 1_000);
    expect(chunks.length).toBeGreaterThan(3);
    for (const chunk of chunks) expect(chars(chunk)).toBeLessThanOrEqual(1_000);
    expect(chunks.join("\n").replace(/\n+/g, "\n")).toBe(text.replace(/\n+/g, "\n"));
  });

  it("closes and reopens a code block that spans chunks", () => {
    const code = Array.from({ length: 200 }, (_, i) => `const line${i} = ${i};`).join("\n");
    const chunks = splitReply(`Here:\n\`\`\`ts\n${code}\n\`\`\`\nDone.`, 1_000);
    expect(chunks.length).toBeGreaterThan(2);
    for (const chunk of chunks) {
      expect(chars(chunk)).toBeLessThanOrEqual(1_000);
      expect((chunk.match(/```/g) ?? []).length % 2).toBe(0);
    }
    expect(chunks[1]?.startsWith("```ts")).toBe(true);
  });

  it("cuts an overlong line without splitting a code point", () => {
    const line = "ü😀".repeat(2_000);
    const chunks = splitReply(line, 500);
    for (const chunk of chunks) {
      expect(chars(chunk)).toBeLessThanOrEqual(500);
      expect(chunk).not.toMatch(/[\uD800-\uDBFF]$/);
    }
    expect(chunks.join("")).toBe(line);
  });

  it("uses the platform's limit", () => {
    expect(replyChunkLimit("slack")).toBe(11_000);
    expect(replyChunkLimit("teams")).toBe(4_000);
  });
});
