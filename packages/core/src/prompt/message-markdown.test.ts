import { Message, parseMarkdown } from "chat";
import { describe, expect, it } from "vitest";
import { messageMarkdown } from "./message-markdown";

function messageOf(markdown: string): Message {
  return new Message({
    id: "1796293599.067000",
    threadId: "slack:C0GENERAL1:1796293599.067000",
    text: "",
    formatted: parseMarkdown(markdown),
    raw: {},
    author: { userId: "U1", userName: "ada", fullName: "Ada", isBot: false, isMe: false },
    metadata: { dateSent: new Date(0), edited: false },
    attachments: [],
  });
}

describe("messageMarkdown", () => {
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
