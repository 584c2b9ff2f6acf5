/**
 * Builds the `rich_text` block Slack clients attach to a message typed in mrkdwn: sections of
 * styled inline elements, bullet lists, quotes and preformatted code. Real events carry these
 * beside `text`, and they are a large part of what a naive serialization of a message stores.
 */

type RichElement = Record<string, unknown>;

/** `<…>` tokens, then inline styles and emoji, in one left-to-right scan. */
const INLINE = /<([^<>]+)>|\*([^*\n]+)\*|_([^_\n]+)_|`([^`\n]+)`|:([a-z0-9_+-]+):/g;
const BULLET = /^(•|-) /;

export function unescapeMrkdwn(text: string): string {
  return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

function elementFor(token: string): RichElement | undefined {
  const [target = "", label] = token.split("|", 2);
  if (target.startsWith("@")) return { type: "user", user_id: target.slice(1) };
  if (target.startsWith("#")) return { type: "channel", channel_id: target.slice(1) };
  if (target === "!here" || target === "!channel" || target === "!everyone") {
    return { type: "broadcast", range: target.slice(1) };
  }
  if (target.startsWith("!subteam^")) return { type: "usergroup", usergroup_id: target.slice(9) };
  if (/^(https?|mailto):/.test(target)) {
    return label
      ? { type: "link", url: target, text: unescapeMrkdwn(label) }
      : { type: "link", url: target };
  }
  return undefined;
}

function styledElement(match: RegExpMatchArray): RichElement | undefined {
  const [, token, bold, italic, code, emoji] = match;
  if (token !== undefined) return elementFor(token);
  if (bold) return { type: "text", text: unescapeMrkdwn(bold), style: { bold: true } };
  if (italic) return { type: "text", text: unescapeMrkdwn(italic), style: { italic: true } };
  if (code) return { type: "text", text: unescapeMrkdwn(code), style: { code: true } };
  if (emoji) return { type: "emoji", name: emoji };
  return undefined;
}

export function richTextElements(text: string): RichElement[] {
  const elements: RichElement[] = [];
  const pushText = (value: string) => {
    if (value.length > 0) elements.push({ type: "text", text: unescapeMrkdwn(value) });
  };
  let last = 0;
  for (const match of text.matchAll(INLINE)) {
    const element = styledElement(match);
    if (!element) continue;
    pushText(text.slice(last, match.index));
    elements.push(element);
    last = match.index + match[0].length;
  }
  pushText(text.slice(last));
  return elements;
}

function section(text: string): RichElement {
  return { type: "rich_text_section", elements: richTextElements(text) };
}

export function richTextBlocks(text: string, blockId: string): RichElement[] {
  const elements: RichElement[] = [];
  const lines = text.split("\n");
  let paragraph: string[] = [];
  const flush = () => {
    if (paragraph.length > 0) elements.push(section(paragraph.join("\n")));
    paragraph = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    if (line.startsWith("```")) {
      flush();
      const code: string[] = [];
      for (i++; i < lines.length && !(lines[i] ?? "").startsWith("```"); i++) {
        code.push(lines[i] ?? "");
      }
      elements.push({
        type: "rich_text_preformatted",
        elements: [{ type: "text", text: unescapeMrkdwn(code.join("\n")) }],
        border: 0,
      });
    } else if (BULLET.test(line)) {
      flush();
      const items: RichElement[] = [];
      for (; i < lines.length && BULLET.test(lines[i] ?? ""); i++) {
        items.push(section((lines[i] ?? "").slice(2)));
      }
      i--;
      elements.push({
        type: "rich_text_list",
        style: "bullet",
        indent: 0,
        border: 0,
        elements: items,
      });
    } else if (line.startsWith("> ") || line.startsWith("&gt; ")) {
      flush();
      elements.push({
        type: "rich_text_quote",
        elements: richTextElements(line.replace(/^(>|&gt;) /, "")),
      });
    } else {
      paragraph.push(line);
    }
  }
  flush();
  return [{ type: "rich_text", block_id: blockId, elements }];
}
