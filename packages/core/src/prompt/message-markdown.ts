import { type Content, type Message, type Root, stringifyMarkdown } from "chat";

/**
 * What the agent reads of a message: Markdown (CommonMark + GFM) rendered from the SDK's parsed
 * `formatted` tree, so code fences, lists, emphasis, quotes and links (`[label](url)`) survive,
 * where `message.text` flattens them. Mentions are as the SDK resolved them: `@display-name` for
 * people, `#channel-name (C123)` for channels (their ids travel in the dispatch's `mentions`).
 *
 * Two things Slack loses are put back: Slack keeps no language on a code block, so a first line
 * that is only a known language name (what people type after the opening fence) becomes the
 * fence's language; and Slack's bullets arrive as `• ` lines, which become Markdown list items.
 */
export function messageMarkdown(message: Message): string {
  const root: Root = { type: "root", children: message.formatted.children.map(withCodeLanguage) };
  // `handlers` reaches the SDK's remark-stringify, though the SDK's option type does not name
  // it; message-markdown.test.ts fails if an SDK upgrade stops passing it on.
  const options = { bullet: "-", handlers: { text: asTyped } } as StringifyOptions;

  const markdown = stringifyMarkdown(root, options);
  return bulletsToListItems(markdown).replace(/\s+$/, "");
}

/**
 * Plain text as the person typed it. The stringifier would escape whatever could read as Markdown
 * syntax (`[file]` became `\[file]`, `snake_case_` and `1.` at a line's start alike), so the
 * agent would read characters nobody wrote; formatting the platform did parse (bold, code, links,
 * lists) is rendered by its own nodes, not by this text.
 */
type StringifyOptions = Parameters<typeof stringifyMarkdown>[1];

function asTyped(node: { value: string }): string {
  return node.value;
}

/** Fence languages people type; a bare first word outside this list stays code. */
const CODE_LANGUAGES = new Set(
  (
    "bash sh shell zsh console fish powershell ps1 cmd bat js javascript jsx mjs cjs ts typescript tsx " +
    "json jsonc json5 yaml yml toml ini env dotenv xml html css scss less sql graphql gql python py " +
    "ruby rb go golang rust rs java kotlin kt scala swift c h cpp cxx hpp csharp cs fsharp php perl " +
    "lua r dart elixir ex erlang haskell hs clojure ocaml nix hcl terraform tf dockerfile docker " +
    "makefile make cmake proto protobuf diff patch markdown md text txt plaintext log csv regex vue svelte"
  ).split(" "),
);
const LANGUAGE_LINE = /^([A-Za-z][\w+#.-]*)\n/;

/** A copy of the node with language lines lifted into code fences (the message is not mutated). */
function withCodeLanguage(node: Content): Content {
  if (node.type === "code") {
    const first = node.lang ? undefined : LANGUAGE_LINE.exec(node.value);
    const lang = first?.[1];
    if (!first || !lang || !CODE_LANGUAGES.has(lang.toLowerCase())) return node;
    return { ...node, lang, value: node.value.slice(first[0].length) };
  }
  if ("children" in node && Array.isArray(node.children)) {
    return { ...node, children: (node.children as Content[]).map(withCodeLanguage) } as Content;
  }
  return node;
}

/**
 * Slack sends a bulleted list as lines starting with `•` inside a paragraph. Outside code
 * fences, such a line becomes a `- ` item (a blank line before the first, so it parses as a list).
 */
function bulletsToListItems(markdown: string): string {
  let inFence = false;
  let previousWasItem = false;
  const out: string[] = [];
  for (const line of markdown.split("\n")) {
    if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
    const bullet = inFence ? null : /^(\s*)• (.*)$/.exec(line);
    if (bullet) {
      if (!previousWasItem && out.length > 0 && out.at(-1) !== "") out.push("");
      out.push(`${bullet[1]}- ${bullet[2]}`);
      previousWasItem = true;
      continue;
    }
    if (previousWasItem && line !== "") out.push("");
    previousWasItem = false;
    out.push(line);
  }
  return out.join("\n");
}
