/**
 * Splits a long Markdown answer into messages a platform accepts. Breaks at paragraph, then line,
 * then word boundaries; a code block split across messages is closed and reopened so each message
 * renders on its own. Lengths are in characters (code points), as chat platforms count them.
 */

/** Per-platform message limits. Slack's `markdown_text` takes 12,000 characters; keep a margin. */
export const REPLY_CHUNK_LIMITS: Readonly<Record<string, number>> = { slack: 11_000 };
export const DEFAULT_REPLY_CHUNK_LIMIT = 4_000;
/** Room kept for the fence lines added when a code block is split. */
const FENCE_ALLOWANCE = 16;

export function replyChunkLimit(platform: string): number {
  return REPLY_CHUNK_LIMITS[platform] ?? DEFAULT_REPLY_CHUNK_LIMIT;
}

const length = (text: string) => Array.from(text).length;

export function splitReply(text: string, limit: number): string[] {
  if (limit <= FENCE_ALLOWANCE * 2) throw new RangeError(`chunk limit ${limit} is too small`);
  if (length(text) <= limit) return [text];
  const budget = limit - FENCE_ALLOWANCE;
  const chunks: string[] = [];
  let current: string[] = [];
  let currentLength = 0;
  let openFence: string | undefined;

  const flush = () => {
    if (current.length === 0) return;
    const body = current.join("\n");
    chunks.push(openFence ? `${body}\n\`\`\`` : body);
    current = openFence ? [openFence] : [];
    currentLength = openFence ? length(openFence) + 1 : 0;
  };

  for (const line of text.split("\n")) {
    for (const piece of hardWrap(line, budget)) {
      const pieceLength = length(piece) + 1;
      if (currentLength + pieceLength > budget && currentLength > 0) flush();
      current.push(piece);
      currentLength += pieceLength;
    }
    if (/^\s*```/.test(line)) openFence = openFence ? undefined : line.trim();
    // Prefer to end a message at a paragraph break once it is reasonably full.
    if (line.trim() === "" && !openFence && currentLength > budget * 0.8) flush();
  }
  openFence = undefined;
  flush();
  return chunks.filter((chunk) => chunk.trim() !== "");
}

/** A line longer than the budget is cut at the last space before it, or hard at the budget. */
function hardWrap(line: string, budget: number): string[] {
  const chars = Array.from(line);
  if (chars.length <= budget) return [line];
  const pieces: string[] = [];
  let start = 0;
  while (chars.length - start > budget) {
    let end = start + budget;
    const lastSpace = chars.lastIndexOf(" ", end);
    if (lastSpace > start + budget / 2) end = lastSpace + 1;
    pieces.push(chars.slice(start, end).join(""));
    start = end;
  }
  pieces.push(chars.slice(start).join(""));
  return pieces;
}
