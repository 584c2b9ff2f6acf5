/** Builds the `rich_text` block Slack clients attach to a typed message, from its mrkdwn text. */

type RichElement = Record<string, unknown>;

const TOKEN = /<([^<>]+)>/g;

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

export function richTextElements(text: string): RichElement[] {
  const elements: RichElement[] = [];
  const pushText = (value: string) => {
    if (value.length > 0) elements.push({ type: "text", text: unescapeMrkdwn(value) });
  };
  let last = 0;
  for (const match of text.matchAll(TOKEN)) {
    const element = elementFor(match[1] ?? "");
    if (!element) continue;
    pushText(text.slice(last, match.index));
    elements.push(element);
    last = match.index + match[0].length;
  }
  pushText(text.slice(last));
  return elements;
}

export function richTextBlocks(text: string, blockId: string): RichElement[] {
  return [
    {
      type: "rich_text",
      block_id: blockId,
      elements: [{ type: "rich_text_section", elements: richTextElements(text) }],
    },
  ];
}
