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

export interface EventDeliveryOptions {
  signingSecret: string;
  now: () => number;
  timeoutMs: number;
  webhookUrl: () => string | undefined;
  recorder: Recorder;
}

interface SentEvent {
  body: string;
  meta: EventMeta;
  retryNum: number;
}

export type EventDeliverer = ReturnType<typeof createEventDeliverer>;

export function createEventDeliverer(options: EventDeliveryOptions) {
  const sent = new Map<string, SentEvent>();

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
    return result;
  }

  return {
    deliver(payload: Record<string, unknown>, meta: EventMeta, deliver: DeliverOptions = {}) {
      const entry: SentEvent = { body: JSON.stringify(payload), meta, retryNum: 0 };
      sent.set(meta.eventId, entry);
      return post(entry, undefined, deliver);
    },

    /** Sends the identical body again with the next `x-slack-retry-num`. */
    redeliver(eventId: string, reason: RetryReason = "http_timeout", deliver: DeliverOptions = {}) {
      const entry = sent.get(eventId);
      if (!entry) throw new SlackEmulatorError("UNKNOWN_EVENT", `no event ${eventId} was sent`);
      entry.retryNum += 1;
      return post(entry, reason, deliver);
    },
  };
}
