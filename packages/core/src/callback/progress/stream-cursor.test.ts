import { describe, expect, it } from "vitest";
import { PROGRESS_STREAM_GAP_WAIT_MS } from "../../keys";
import type { ShownStream } from "../../request/status-message-store";
import { advanceStream, newStreamCursor } from "./stream-cursor";

const DELTAS: Record<string, string> = {
  "2": "## Pourquoi le build est rouge\n\n",
  "3": "```sh\npnpm install --frozen-lockfile --prefer-offline --reporter=append-only\n```\n",
  "5": "Voir https://example.com/ci?run=42&job=e2e — fixed.\n",
};

/** Delivers sequences one by one, as instances would, and returns what went into the stream. */
function deliver(order: number[], at: (index: number) => number = () => 0) {
  let stream: ShownStream = newStreamCursor(order[0] ?? 1);
  let streamed = "";
  order.forEach((sequence, index) => {
    const step = advanceStream(stream, DELTAS, sequence, at(index));
    stream = step.stream;
    streamed += step.text;
  });
  return { stream, streamed };
}

describe("the native stream's cursor", () => {
  const whole = `${DELTAS["2"]}${DELTAS["3"]}${DELTAS["5"]}`;

  it("appends every delta once, in sequence order, whatever order and repeats they come in", () => {
    expect(deliver([1, 2, 3, 4, 5]).streamed).toBe(whole);
    expect(deliver([3, 5, 3, 1, 2, 5, 4, 4]).streamed).toBe(whole);
    expect(deliver([5, 4, 3, 2, 1]).stream).toEqual({ through: 5, pending: [] });
  });

  it("holds text above a gap, then skips a gap waited for long enough", () => {
    const held = deliver([1, 2, 5]);
    expect(held.streamed).toBe(DELTAS["2"]);
    expect(held.stream.pending).toEqual([5]);
    // 3 and 4 never come: after the wait, 5 follows what is in the stream.
    const skipped = deliver([1, 2, 5, 6], (index) => (index < 3 ? 0 : PROGRESS_STREAM_GAP_WAIT_MS));
    expect(skipped.streamed).toBe(`${DELTAS["2"]}${DELTAS["5"]}`);
    expect(skipped.stream.through).toBe(6);
    // A delta that comes after its gap was skipped is not appended out of order.
    const late = advanceStream(skipped.stream, DELTAS, 3, PROGRESS_STREAM_GAP_WAIT_MS * 2);
    expect(late.text).toBe("");
  });

  it("starts at 0 when the agent counts from 0", () => {
    const { streamed } = deliver([0, 2, 1, 3]);
    expect(streamed).toBe(`${DELTAS["2"]}${DELTAS["3"]}`);
  });
});
