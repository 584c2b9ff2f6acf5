import { Message, parseMarkdown, type Root } from "chat";
import { describe, expect, it } from "vitest";
import { messageMarkdown } from "./message-markdown";

function messageOf(markdown: string | Root): Message {
  return new Message({
    id: "1796293599.067000",
    threadId: "slack:C0GENERAL1:1796293599.067000",
    text: "",
    formatted: typeof markdown === "string" ? parseMarkdown(markdown) : markdown,
    raw: {},
    author: { userId: "U1", userName: "ada", fullName: "Ada", isBot: false, isMe: false },
    metadata: { dateSent: new Date(0), edited: false },
    attachments: [],
  });
}

describe("messageMarkdown", () => {
  it("gives plain text as typed: nothing that could read as Markdown syntax is escaped", () => {
    // As the Slack adapter hands over typed text that holds no formatting it parsed.
    const typed = [
      "[file] please, see [RFC 9110] and snake_case_names_ here",
      "1. is not a list here, nor # a heading, nor > a quote",
      "a literal * star, <not-a-tag>, 50% off & more | pipes | ~tilde~ \\ back\\slash",
    ];
    const message = messageOf({
      type: "root",
      children: [
        { type: "paragraph", children: [{ type: "text", value: typed.join("\n") }] },
        {
          type: "paragraph",
          children: [
            { type: "strong", children: [{ type: "text", value: "bold [x]" }] },
            { type: "text", value: " then `ticks` and " },
            { type: "inlineCode", value: "--flag=[a|b]" },
          ],
        },
      ],
    });
    expect(messageMarkdown(message)).toBe(
      `${typed.join("\n")}\n\n**bold [x]** then \`ticks\` and \`--flag=[a|b]\``,
    );
  });

  it("lifts a language line into the fence, also inside lists and quotes, and nothing else", () => {
    const message = messageOf(
      [
        "```",
        "yaml",
        "on: [push]",
        "```",
        "",
        "- step:",
        "",
        "  ```",
        "  TS",
        "  const x = 1;",
        "  ```",
        "",
        "> ```",
        "> TODO",
        "> still code",
        "> ```",
        "",
        "```",
        "bash",
        "```",
        "",
        "```sql",
        "json",
        "select 1;",
        "```",
      ].join("\n"),
    );
    const before = JSON.stringify(message.formatted);
    const markdown = messageMarkdown(message);
    expect(markdown).toContain("```yaml\non: [push]\n```");
    expect(markdown).toContain("  ```TS\n  const x = 1;\n  ```");
    // Not a language: stays code. A lone word is the code itself. A fence keeps its language.
    expect(markdown).toContain("> ```\n> TODO\n> still code\n> ```");
    expect(markdown).toContain("```\nbash\n```");
    expect(markdown).toContain("```sql\njson\nselect 1;\n```");
    // The message itself is left as it was.
    expect(JSON.stringify(message.formatted)).toBe(before);
  });

  it("turns Slack's bullet lines into a list, but never inside code", () => {
    const code = ["```", "• literal", "```"];
    const message = messageOf(
      ["Before Thursday:", "• migrate", "• flag it *off*", "Thanks", "", ...code].join("\n"),
    );
    expect(messageMarkdown(message)).toBe(
      ["Before Thursday:", "", "- migrate", "- flag it *off*", "", "Thanks", "", ...code].join(
        "\n",
      ),
    );
  });
});
