import { describe, expect, it } from "vitest";
import { STREAM_NONCE_HEX_CHARS } from "../keys";
import { USER_NOTICES } from "../platform/user-notices";
import {
  carriesStreamMarker,
  isStreamIntent,
  newStreamIntent,
  streamMarkerText,
} from "./stream-intent";

describe("a stream start's marker", () => {
  const at = Date.UTC(2026, 11, 3, 16, 0, 0);

  it("shows only the status line, and carries exactly its own start's nonce", () => {
    const intent = newStreamIntent("req_01", at, 0);
    const marker = streamMarkerText(intent);
    expect(intent.nonce).toHaveLength(STREAM_NONCE_HEX_CHARS);
    // What a reader sees: the status line; the nonce is zero-width characters after a space.
    expect(marker.replace(/\u200b|\u200c|\u200d|\u2060/g, "")).toBe(`${USER_NOTICES.working} \n\n`);
    expect(carriesStreamMarker(`${marker}## Pourquoi le build est rouge`, intent)).toBe(true);
    // Another start of the same request, another request, or a plain status line: not ours.
    expect(carriesStreamMarker(marker, newStreamIntent("req_01", at + 1, 0))).toBe(false);
    expect(carriesStreamMarker(marker, newStreamIntent("req_02", at, 0))).toBe(false);
    expect(carriesStreamMarker(`${USER_NOTICES.working}\n\n`, intent)).toBe(false);
    // Every digit counts: nonces alike but for the last one are told apart.
    const alike = { nonce: "0123456789ab", since: at };
    const last = { nonce: "0123456789aa", since: at };
    expect(carriesStreamMarker(streamMarkerText(alike), last)).toBe(false);
  });

  it("is recognised in a stored record only with a well-formed nonce", () => {
    expect(isStreamIntent(newStreamIntent("req_01", at, 4))).toBe(true);
    expect(isStreamIntent({ nonce: "not hex!", since: at })).toBe(false);
    expect(isStreamIntent({ nonce: "abc123", since: String(at) })).toBe(false);
  });
});
