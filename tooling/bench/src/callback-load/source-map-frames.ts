import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { SourceMapConsumer } from "source-map-js";

/** A profiled frame traced back to the code it was built from. */
export interface OriginalFrame {
  /** The original file, as the source map names it (e.g. `…/node_modules/.pnpm/chat@…/dist/x.js`). */
  source: string;
  /** 1-based. */
  line: number;
  /** The original identifier at the frame's start, when the map records one. */
  name: string | null;
}

/** `.next/server/…` or a test build's `.next-test/server/…`. */
const NEXT_SERVER_CHUNK = /\/\.next[^/]*\/server\//;

export type FrameResolver = (
  url: string,
  line0: number,
  column0: number,
) => OriginalFrame | undefined;

/**
 * Resolves frames of Next's minified server chunks through the `.js.map` files the build writes
 * beside them; frames of other files (Node internals, external packages) stay unresolved.
 */
export function createFrameResolver(): FrameResolver {
  const consumers = new Map<string, SourceMapConsumer | null>();
  const consumerFor = (path: string) => {
    if (!consumers.has(path)) {
      const mapPath = `${path}.map`;
      consumers.set(
        path,
        existsSync(mapPath) ? new SourceMapConsumer(readFileSync(mapPath, "utf8")) : null,
      );
    }
    return consumers.get(path) ?? null;
  };
  return (url, line0, column0) => {
    if (!NEXT_SERVER_CHUNK.test(url)) return undefined;
    const path = url.startsWith("file:") ? fileURLToPath(url) : url;
    const found = consumerFor(path)?.originalPositionFor({ line: line0 + 1, column: column0 });
    if (!found?.source) return undefined;
    return { source: decodeURIComponent(found.source), line: found.line, name: found.name ?? null };
  };
}
