import { describe, expect, it } from "vitest";
import { richTextBlocks, richTextElements } from "./rich-text-blocks";

describe("richTextElements", () => {
  it("turns mrkdwn tokens into rich_text elements and unescapes text", () => {
    expect(
      richTextElements("<@U1> see <#C2|general>, <https://x.test|docs> &amp; <!here> a &lt; b"),
    ).toEqual([
      { type: "user", user_id: "U1" },
      { type: "text", text: " see " },
      { type: "channel", channel_id: "C2" },
      { type: "text", text: ", " },
      { type: "link", url: "https://x.test", text: "docs" },
      { type: "text", text: " & " },
      { type: "broadcast", range: "here" },
      { type: "text", text: " a < b" },
    ]);
  });

  it("leaves unknown angle-bracket text as text", () => {
    expect(richTextElements("<not a token>")).toEqual([{ type: "text", text: "<not a token>" }]);
  });
});

describe("richTextBlocks", () => {
  it("builds sections, bullet lists, quotes and preformatted code with inline styles", () => {
    const [block] = richTextBlocks(
      "*Plan* for `api`:\n• first :tada:\n- second\n> careful\n```\nnpm test\n```\n_done_",
      "b1",
    );
    expect(block).toEqual({
      type: "rich_text",
      block_id: "b1",
      elements: [
        {
          type: "rich_text_section",
          elements: [
            { type: "text", text: "Plan", style: { bold: true } },
            { type: "text", text: " for " },
            { type: "text", text: "api", style: { code: true } },
            { type: "text", text: ":" },
          ],
        },
        {
          type: "rich_text_list",
          style: "bullet",
          indent: 0,
          border: 0,
          elements: [
            {
              type: "rich_text_section",
              elements: [
                { type: "text", text: "first " },
                { type: "emoji", name: "tada" },
              ],
            },
            { type: "rich_text_section", elements: [{ type: "text", text: "second" }] },
          ],
        },
        { type: "rich_text_quote", elements: [{ type: "text", text: "careful" }] },
        {
          type: "rich_text_preformatted",
          elements: [{ type: "text", text: "npm test" }],
          border: 0,
        },
        {
          type: "rich_text_section",
          elements: [{ type: "text", text: "done", style: { italic: true } }],
        },
      ],
    });
  });
});
