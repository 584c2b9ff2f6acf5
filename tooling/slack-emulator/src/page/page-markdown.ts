/**
 * Renders a message's text (Slack mrkdwn, or the Markdown some clients send) as HTML the way
 * Slack shows it: bold, italic, strikethrough, inline code, code fences, quotes, headings and
 * lists, everything else escaped. Self-contained (no imports, no closures): the page embeds its
 * source (`renderMessageHtml.toString()`), so what the tests check is what the browser runs.
 */
export function renderMessageHtml(text: string): string {
  const escapeHtml = (value: string) =>
    value
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;");
  const inline = (value: string) => {
    // Code spans are set aside (behind a private-use marker) so no other rule touches them.
    const codes: string[] = [];
    let out = escapeHtml(value).replace(/`([^`\n]+)`/g, (_whole, code: string) => {
      codes.push(`<code>${code}</code>`);
      return `\uE000${codes.length - 1}\uE000`;
    });
    out = out
      .replace(/\*\*([^*\n]+)\*\*/g, "<strong>$1</strong>")
      .replace(/(^|[^\w*])\*([^*\n]+)\*(?=[^\w*]|$)/g, "$1<strong>$2</strong>")
      .replace(/(^|[^\w])_([^_\n]+)_(?=[^\w]|$)/g, "$1<em>$2</em>")
      .replace(/(^|[^\w~])~([^~\n]+)~(?=[^\w~]|$)/g, "$1<del>$2</del>")
      .replace(
        /\[([^\]\n]+)\]\((https?:\/\/[^\s)]+)\)/g,
        '<a href="$2" target="_blank" rel="noopener">$1</a>',
      )
      .replace(
        /(^|[\s(])(https?:\/\/[^\s<)]+)/g,
        '$1<a href="$2" target="_blank" rel="noopener">$2</a>',
      );
    return out.replace(/\uE000(\d+)\uE000/g, (_whole, index: string) => codes[Number(index)] ?? "");
  };
  const html: string[] = [];
  const lines = text.split("\n");
  let list: "ul" | "ol" | undefined;
  const closeList = () => {
    if (list) html.push(`</${list}>`);
    list = undefined;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    const fence = /^\s*```(\S*)\s*$/.exec(line) ?? /^\s*```(.*)$/.exec(line);
    if (fence) {
      closeList();
      const body: string[] = [];
      // A one-line fence (```code```) or a fence whose first line carries code, as Slack sends.
      const rest = (fence[1] ?? "").replace(/```\s*$/, "");
      const oneLine = /```.*```/.test(line);
      if (oneLine || (rest && !/^[\w+-]+$/.test(rest))) body.push(rest);
      if (!oneLine) {
        for (i++; i < lines.length && !/^\s*```\s*$/.test(lines[i] ?? ""); i++) {
          const inner = lines[i] ?? "";
          if (/```\s*$/.test(inner)) {
            body.push(inner.replace(/```\s*$/, ""));
            break;
          }
          body.push(inner);
        }
      }
      html.push(`<pre><code>${escapeHtml(body.join("\n"))}</code></pre>`);
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    const bullet = /^\s*[-*•◦]\s+(.*)$/.exec(line);
    const numbered = /^\s*\d+[.)]\s+(.*)$/.exec(line);
    const quote = /^(?:>|&gt;)\s?(.*)$/.exec(line);
    if (bullet || numbered) {
      const kind = bullet ? "ul" : "ol";
      if (list !== kind) {
        closeList();
        html.push(`<${kind}>`);
        list = kind;
      }
      html.push(`<li>${inline((bullet ?? numbered)?.[1] ?? "")}</li>`);
      continue;
    }
    closeList();
    if (heading) {
      const level = Math.min(6, (heading[1] ?? "#").length + 2);
      html.push(`<h${level}>${inline(heading[2] ?? "")}</h${level}>`);
    } else if (quote) {
      html.push(`<blockquote>${inline(quote[1] ?? "")}</blockquote>`);
    } else if (line.trim() === "") {
      html.push('<div class="gap"></div>');
    } else {
      html.push(`<div>${inline(line)}</div>`);
    }
  }
  closeList();
  return html.join("");
}
