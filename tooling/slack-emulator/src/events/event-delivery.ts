import { SlackEmulatorError } from "../errors";
import type { Recorder } from "../recorder";
import type { DeliverOptions, EventDelivery, RetryReason } from "../types";
import { signSlackRequest } from "./event-signature";

/** POSTs signed event payloads to the bot's events URL and keeps them for Slack-style retries. */

export interface EventMeta {
  eventId: string;
  eventType: string;
  channel?: string;
  ts?: string;
  eventTs: string;
}

/** Slack retries a failed delivery about at once, then after 1 minute, then after 5 minutes. */
export const SLACK_RETRY_DELAYS_MS: readonly number[] = [0, 60_000, 300_000];

export interface EventDeliveryOptions {
  signingSecret: string;
  now: () => number;
  timeoutMs: number;
  webhookUrl: () => string | undefined;
  recorder: Recorder;
  /**
   * After a delivery is not answered 2xx, retry number n+1 is sent this long after retry n's
   * failure, until the list ends (Slack's schedule by default; shorter in tests; `[]`: never).
   */
  retryDelaysMs?: readonly number[];
}

interface SentEvent {
  body: string;
  meta: EventMeta;
  retryNum: number;
  /** Some delivery of it was answered 2xx: Slack stops retrying. */
  answered: boolean;
  /** Sent with a forged secret or timestamp: not Slack's delivery, so never retried by it. */
  forged: boolean;
  retryTimer?: NodeJS.Timeout;
}

function retryReasonFor(result: EventDelivery): RetryReason {
  if (result.status !== null) return "http_error";
  return result.error?.startsWith("no answer within") ? "http_timeout" : "connection_failed";
}

export type EventDeliverer = ReturnType<typeof createEventDeliverer>;

export function createEventDeliverer(options: EventDeliveryOptions) {
  const sent = new Map<string, SentEvent>();
  const retryDelays = options.retryDelaysMs ?? SLACK_RETRY_DELAYS_MS;

  /** Like Slack: a delivery not answered 2xx is retried on schedule until one is. */
  function scheduleRetry(entry: SentEvent, failed: EventDelivery): void {
    if (entry.answered || entry.forged) return;
    const delay = retryDelays[entry.retryNum];
    if (delay === undefined) return;
    clearTimeout(entry.retryTimer);
    entry.retryTimer = setTimeout(() => {
      entry.retryTimer = undefined;
      if (entry.answered) return;
      entry.retryNum += 1;
      // A failed retry schedules the next one from within post(); errors are in the record.
      void post(entry, retryReasonFor(failed), {});
    }, delay);
    entry.retryTimer.unref();
  }

  async function post(
    entry: SentEvent,
    retryReason: RetryReason | undefined,
    deliver: DeliverOptions,
  ): Promise<EventDelivery> {
    const time = options.now();
    const timestamp = deliver.timestampSeconds ?? Math.floor(time / 1000);
    const signature = signSlackRequest(
      deliver.signingSecret ?? options.signingSecret,
      timestamp,
      entry.body,
    );
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "user-agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
      "x-slack-request-timestamp": String(timestamp),
      "x-slack-signature": signature,
    };
    if (entry.retryNum > 0) {
      headers["x-slack-retry-num"] = String(entry.retryNum);
      headers["x-slack-retry-reason"] = retryReason ?? "http_timeout";
    }
    const base = { ...entry.meta, retryNum: entry.retryNum, retryReason, time };
    const started = performance.now();
    const url = options.webhookUrl();
    let result: EventDelivery;
    if (!url) {
      result = {
        ...base,
        status: null,
        body: "",
        error: "no webhook URL configured",
        durationMs: 0,
      };
    } else {
      try {
        const response = await fetch(url, {
          method: "POST",
          headers,
          body: entry.body,
          signal: AbortSignal.timeout(options.timeoutMs),
        });
        const text = await response.text();
        result = {
          ...base,
          status: response.status,
          body: text,
          durationMs: performance.now() - started,
        };
      } catch (error) {
        const timedOut = error instanceof Error && error.name === "TimeoutError";
        const detail =
          error instanceof Error ? String(error.cause ?? error.message) : String(error);
        result = {
          ...base,
          status: null,
          body: "",
          error: timedOut ? `no answer within ${options.timeoutMs} ms` : detail,
          durationMs: performance.now() - started,
        };
      }
    }
    options.recorder.recordDelivery(result);
    if (result.status !== null && result.status >= 200 && result.status < 300) {
      entry.answered = true;
      clearTimeout(entry.retryTimer);
      entry.retryTimer = undefined;
    } else {
      scheduleRetry(entry, result);
    }
    return result;
  }

  return {
    deliver(payload: Record<string, unknown>, meta: EventMeta, deliver: DeliverOptions = {}) {
      const entry: SentEvent = {
        body: JSON.stringify(payload),
        meta,
        retryNum: 0,
        answered: false,
        forged: deliver.signingSecret !== undefined || deliver.timestampSeconds !== undefined,
      };
      sent.set(meta.eventId, entry);
      return post(entry, undefined, deliver);
    },

    /** Sends the identical body again with the next `x-slack-retry-num`. */
    redeliver(eventId: string, reason: RetryReason = "http_timeout", deliver: DeliverOptions = {}) {
      const entry = sent.get(eventId);
      if (!entry) throw new SlackEmulatorError("UNKNOWN_EVENT", `no event ${eventId} was sent`);
      clearTimeout(entry.retryTimer);
      entry.retryTimer = undefined;
      entry.retryNum += 1;
      return post(entry, reason, deliver);
    },

    /** Cancels every scheduled retry (the emulator is stopping). */
    stop() {
      for (const entry of sent.values()) {
        clearTimeout(entry.retryTimer);
        entry.retryTimer = undefined;
      }
    },
  };
}
