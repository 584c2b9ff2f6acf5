import type { StoredAttachment } from "../request/request-files-store";

/**
 * Streams a platform's file for the agent, implemented by the app per platform (Slack: the file's
 * private URL with the workspace's bot token). Optional: a platform without one is served through
 * the adapter's `fetchData`, which holds the whole file in memory before the first byte goes out.
 */
export interface PlatformFileSource {
  /** Whether this source opens files of that platform (`slack`, …). */
  supports(platform: string): boolean;
  /**
   * Opens the file: resolves once the platform answered with the headers, before any body byte
   * is read. Expected refusals are answers, not errors. The source honours `signal` (the headers
   * timeout, the agent hanging up) and never reads the body ahead of the returned stream's reader.
   */
  open(ask: PlatformFileAsk): Promise<PlatformFileOpening>;
}

export interface PlatformFileAsk {
  platform: string;
  /** The thread the request came from (its channel tells a multi-workspace app whose token). */
  threadId: string;
  attachment: StoredAttachment;
  signal: AbortSignal;
  /** The cap the body will be held to; a source may refuse a larger declared length early. */
  maxBytes: number;
}

export type PlatformFileOpening =
  | {
      kind: "stream";
      body: ReadableStream<Uint8Array>;
      /** The declared length (Content-Length), when the platform sent one. */
      size?: number;
      mimeType?: string;
    }
  | { kind: "too-large"; size: number }
  | { kind: "unavailable"; why: string };
