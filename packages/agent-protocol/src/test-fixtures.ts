/** Builders shared by this package's tests (not exported from the package). */
import type {
  CancelledCallback,
  CompletedCallback,
  FailedCallback,
  ProgressCallback,
} from "./callback";
import type { DispatchRequest } from "./dispatch";
import { PROTOCOL_VERSION } from "./limits";

/** 2025-01-15T12:00:00Z */
export const NOW_MS = Date.UTC(2025, 0, 15, 12, 0, 0);
export const fixedNow =
  (ms: number = NOW_MS) =>
  () =>
    ms;

export const SERVER_SECRET = "test-server-secret-current-0123456789abcdef";
export const OLD_SERVER_SECRET = "test-server-secret-previous-0123456789abcdef";
export const BOT_REQUEST_ID = "req_01JH8Z3K4M5N6P7Q8R9S";

const envelope = {
  protocolVersion: PROTOCOL_VERSION,
  botRequestId: BOT_REQUEST_ID,
  agentSessionId: "sess_7f3a",
  executionId: "exec_42",
  sequence: 1,
  sentAt: "2025-01-15T12:00:00.000Z",
} as const;

export function progressCallback(overrides: Partial<ProgressCallback> = {}): ProgressCallback {
  return { ...envelope, type: "progress", message: "Reading the repository", ...overrides };
}

export function completedCallback(overrides: Partial<CompletedCallback> = {}): CompletedCallback {
  return {
    ...envelope,
    sequence: 7,
    type: "completed",
    text: "**Done.** See below.",
    ...overrides,
  };
}

export function failedCallback(overrides: Partial<FailedCallback> = {}): FailedCallback {
  return {
    ...envelope,
    sequence: 3,
    type: "failed",
    error: { code: "model_timeout", message: "The model did not answer in time.", retryable: true },
    ...overrides,
  };
}

export function cancelledCallback(overrides: Partial<CancelledCallback> = {}): CancelledCallback {
  return {
    ...envelope,
    sequence: 2,
    type: "cancelled",
    reason: "Cancelled from Slack",
    ...overrides,
  };
}

export const SIGNING_SECRET = `whsec_${Buffer.alloc(32, 7).toString("base64")}`;

export function dispatchRequest(overrides: Partial<DispatchRequest> = {}): DispatchRequest {
  return {
    protocolVersion: PROTOCOL_VERSION,
    botRequestId: BOT_REQUEST_ID,
    prompt: "Why is the nightly build red?",
    context: {
      platform: "slack",
      threadId: "slack:C0123:1736942400.000100",
      channelId: "slack:C0123",
      preamble: "You are Baton's build assistant.",
      history: [
        {
          role: "user",
          author: "Ada",
          text: "The build broke again",
          sentAt: "2025-01-15T11:58:00Z",
        },
        { role: "assistant", text: "Looking." },
      ],
    },
    callback: {
      url: `https://baton.example.com/api/internal/bot-session-callback/${BOT_REQUEST_ID}`,
      signingSecret: SIGNING_SECRET,
    },
    sessionId: "sess_7f3a",
    options: { model: "gpt-5", reasoningEffort: "medium", extra: { temperature: 0.2 } },
    deadline: "2025-01-16T12:00:00Z",
    ...overrides,
  };
}

/** Serializes any value as a body; for bodies the schemas are meant to refuse. */
export function body(value: unknown): string {
  return JSON.stringify(value);
}
