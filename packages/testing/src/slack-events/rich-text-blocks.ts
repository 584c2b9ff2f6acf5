/**
 * Approximates the `rich_text` blocks Slack's clients attach to a message typed in mrkdwn:
 * sections with styled inline elements, bullet lists, quotes and preformatted code. Slack events
 * carry these beside `text`, and they are a large part of what a naive serialization stores.
 */
type Inline = Record<string, unknown>;
type Element = Record<string, unknown>;

const INLINE_TOKEN =
  /<@([A-Z0-9]+)>|<(https?:[^|>]+)\|([^>]+)>|<(https?:[^>]+)>|\*([^*\n]+)\*|_([^_\n]+)_|`([^`\n]+)`|:([a-z0-9_+-]+):/g;

export function mrkdwnToRichTextBlocks(text: string): Record<string, unknown>[] {
  const elements: Element[] = [];
  const lines = text.split("\n");
  let paragraph: string[] = [];
  const flushParagraph = () => {
    if (paragraph.length) elements.push(section(paragraph.join("\n")));
    paragraph = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    if (line.startsWith("```")) {
      flushParagraph();
      const code: string[] = [];
      for (i++; i < lines.length && !(lines[i] ?? "").startsWith("```"); i++)
        code.push(lines[i] ?? "");
      elements.push({
        type: "rich_text_preformatted",
        elements: [{ type: "text", text: code.join("\n") }],
        border: 0,
      });
    } else if (/^(•|-) /.test(line)) {
      flushParagraph();
      const items: Element[] = [];
      for (; i < lines.length && /^(•|-) /.test(lines[i] ?? ""); i++)
        items.push(section((lines[i] ?? "").slice(2)));
      i--;
      elements.push({
        type: "rich_text_list",
        style: "bullet",
        indent: 0,
        border: 0,
        elements: items,
      });
    } else if (line.startsWith("> ")) {
      flushParagraph();
      elements.push({ type: "rich_text_quote", elements: inline(line.slice(2)) });
    } else {
      paragraph.push(line);
    }
  }
  flushParagraph();
  return [{ type: "rich_text", block_id: blockId(text), elements }];
}

function section(text: string): Element {
  return { type: "rich_text_section", elements: inline(text) };
}

function inline(text: string): Inline[] {
  const out: Inline[] = [];
  let last = 0;
  for (const match of text.matchAll(INLINE_TOKEN)) {
    if (match.index > last) out.push({ type: "text", text: text.slice(last, match.index) });
    const [, user, url, label, bareUrl, bold, italic, code, emoji] = match;
    if (user) out.push({ type: "user", user_id: user });
    else if (url) out.push({ type: "link", url, text: label });
    else if (bareUrl) out.push({ type: "link", url: bareUrl });
    else if (bold) out.push({ type: "text", text: bold, style: { bold: true } });
    else if (italic) out.push({ type: "text", text: italic, style: { italic: true } });
    else if (code) out.push({ type: "text", text: code, style: { code: true } });
    else if (emoji) out.push({ type: "emoji", name: emoji });
    last = match.index + match[0].length;
  }
  if (last < text.length) out.push({ type: "text", text: text.slice(last) });
  return out;
}

/** Slack's block ids are short random strings; derive one so fixtures are reproducible. */
function blockId(text: string): string {
  let hash = 0;
  for (const char of text) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return hash.toString(36).slice(0, 5).padEnd(5, "x");
}
