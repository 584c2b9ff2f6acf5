import {
  type DispatchRequest,
  DispatchRequestSchema,
  type HistoryMessage,
  MAX_HISTORY_TEXT_BYTES,
  PROTOCOL_VERSION,
} from "@baton/agent-protocol";
import { describe, expect, it } from "vitest";
import { DEFAULT_MAX_PAYLOAD_BYTES, fitDispatchToBudget } from "./history-budget";
import { jsonBytes } from "./utf8-truncate";

const PREAMBLE = "You are Baton's agent. Answer in Markdown. Ask before deleting anything.";
const ORIGINAL = "Original request: migrate the billing service to the new queue.";
const LATEST = "Latest: and please keep the retry policy as it is — 谢谢 ✅";

function dispatch(history: HistoryMessage[], prompt = LATEST): DispatchRequest {
  return {
    protocolVersion: PROTOCOL_VERSION,
    botRequestId: "req-budget-0001",
    prompt,
    context: {
      platform: "slack",
      threadId: "slack:C1:1.0",
      channelId: "slack:C1",
      preamble: PREAMBLE,
      history,
    },
    callback: {
      url: "http://127.0.0.1:3000/api/internal/bot-session-callback/req-budget-0001",
      signingSecret: `whsec_${Buffer.alloc(32, 7).toString("base64")}`,
    },
    deadline: new Date(1_800_000_000_000).toISOString(),
  };
}

/** ~10 KB per message of mostly 3-byte characters: UTF-16 length is a third of the bytes. */
function bigHistory(count: number): HistoryMessage[] {
  const original: HistoryMessage = { role: "user", author: "ada", text: ORIGINAL };
  const middle = Array.from({ length: count - 1 }, (_, i) => ({
    role: i % 2 ? ("assistant" as const) : ("user" as const),
    text: `message ${i}: ${"日本語のテキスト".repeat(420)}`,
  }));
  return [original, ...middle];
}

describe("fitDispatchToBudget", () => {
  it("leaves a dispatch within budget untouched", () => {
    const request = dispatch(bigHistory(3));
    const { request: fitted, report } = fitDispatchToBudget(request, DEFAULT_MAX_PAYLOAD_BYTES);
    expect(fitted).toEqual(request);
    expect(report).toMatchObject({ droppedMessages: 0, truncatedMessages: 0 });
  });

  it("fits a 10 MB history into the budget, keeping preamble, original and latest intact", () => {
    const request = dispatch(bigHistory(1_000));
    expect(jsonBytes(request)).toBeGreaterThan(10_000_000);
    // Counted in UTF-16 units the history would look about three times smaller than it is.
    expect(JSON.stringify(request).length * 2).toBeLessThan(jsonBytes(request));

    const { request: fitted, report } = fitDispatchToBudget(request, DEFAULT_MAX_PAYLOAD_BYTES);
    expect(jsonBytes(fitted)).toBeLessThanOrEqual(DEFAULT_MAX_PAYLOAD_BYTES);
    expect(report.afterBytes).toBe(jsonBytes(fitted));
    expect(report.beforeBytes).toBe(jsonBytes(request));
    expect(fitted.context.preamble).toBe(PREAMBLE);
    expect(fitted.prompt).toBe(LATEST);
    expect(fitted.context.history[0]?.text).toBe(ORIGINAL);
    // The newest messages survive; the oldest in between went first.
    expect(fitted.context.history.at(-1)?.text).toBe(request.context.history.at(-1)?.text);
    expect(report.droppedMessages).toBeGreaterThan(800);
    expect(DispatchRequestSchema.safeParse(fitted).success).toBe(true);
  });

  it("truncates the message where the budget runs out, with a marker, instead of dropping it", () => {
    const request = dispatch(bigHistory(40));
    const { request: fitted, report } = fitDispatchToBudget(request, 200_000);
    const partial = fitted.context.history[1];
    expect(partial?.text).toMatch(/… \[truncated \d+ bytes\]$/);
    expect(report.truncatedMessages).toBe(1);
    expect(jsonBytes(fitted)).toBeLessThanOrEqual(200_000);
    expect(jsonBytes(fitted)).toBeGreaterThan(195_000);
  });

  it("caps a single oversized message at the protocol's limit with a marker", () => {
    const huge: HistoryMessage = { role: "user", text: "x".repeat(MAX_HISTORY_TEXT_BYTES + 5_000) };
    const { request: fitted } = fitDispatchToBudget(
      dispatch([{ role: "user", text: ORIGINAL }, huge]),
      DEFAULT_MAX_PAYLOAD_BYTES,
    );
    const text = fitted.context.history[1]?.text ?? "";
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(MAX_HISTORY_TEXT_BYTES);
    expect(text).toMatch(/\[truncated \d+ bytes\]$/);
  });

  it("shortens the kept texts only when nothing else is left, the preamble last", () => {
    const prompt = "ü".repeat(100_000);
    const { request: fitted } = fitDispatchToBudget(
      dispatch([{ role: "user", text: ORIGINAL }], prompt),
      20_000,
    );
    expect(jsonBytes(fitted)).toBeLessThanOrEqual(20_000);
    expect(fitted.context.preamble).toBe(PREAMBLE);
    expect(fitted.context.history[0]?.text).toBe(ORIGINAL);
    expect(fitted.prompt).toMatch(/^ü+\n… \[truncated \d+ bytes\]$/);
  });
});
