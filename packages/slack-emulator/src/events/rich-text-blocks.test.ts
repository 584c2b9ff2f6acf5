import { describe, expect, it } from "vitest";
import { richTextElements } from "./rich-text-blocks";

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
