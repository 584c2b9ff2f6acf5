import type { StateAdapter } from "chat";

/**
 * Before a Slack handler runs, the Slack adapter marks the event delivered and the Chat SDK
 * writes its dedupe key, and both make a retry of that event skip the handler. When Baton could
 * not store a mention, those marks must go, or Slack's retry would be skipped and the mention
 * lost. The key names are the SDK's (chat 4.41 / @chat-adapter/slack 4.41); this module is the
 * only one that knows them.
 */
const eventDeliveredKey = (eventId: string) => `slack:event-delivered:${eventId}`;
const dedupeKey = (messageTs: string) => `dedupe:slack:${messageTs}`;

/** A platform event that carries a mention, as far as redelivery is concerned. */
export interface MentionEvent {
  eventId: string;
  /** The platform's id of the mentioning message. */
  messageId: string;
  /** The platform says this delivery is a retry of an earlier one. */
  retried: boolean;
}

/** The mention inside a webhook, if that is what it carries (Slack's `app_mention`). */
export function mentionEventOf(
  platform: string,
  body: string,
  headers: Headers,
): MentionEvent | undefined {
  if (platform !== "slack") return undefined;
  try {
    const payload = JSON.parse(body) as {
      type?: string;
      event_id?: string;
      event?: { type?: string; ts?: string };
    };
    if (payload.type !== "event_callback" || payload.event?.type !== "app_mention")
      return undefined;
    if (!payload.event_id || !payload.event.ts) return undefined;
    const retried = Number(headers.get("x-slack-retry-num") ?? "0") > 0;
    return { eventId: payload.event_id, messageId: payload.event.ts, retried };
  } catch {
    return undefined;
  }
}

/** Any platform event delivery, as far as the webhook inbox is concerned. */
export interface EventDelivery {
  /** The platform's id of the event, the same on each of its retries (Slack's `event_id`). */
  eventId: string;
  /** The message the event is about, when it is one (the SDK dedupes messages by it). */
  messageId?: string;
  retried: boolean;
}

/**
 * The event inside a webhook, if it carries one with an id (Slack's `event_callback`). Other
 * bodies (Slack's `url_verification`, interactive payloads) have no delivery id to record.
 */
export function eventDeliveryOf(
  platform: string,
  body: string,
  headers: Headers,
): EventDelivery | undefined {
  if (platform !== "slack") return undefined;
  try {
    const payload = JSON.parse(body) as {
      type?: string;
      event_id?: string;
      event?: { ts?: string };
    };
    if (payload.type !== "event_callback" || typeof payload.event_id !== "string") {
      return undefined;
    }
    const retried = Number(headers.get("x-slack-retry-num") ?? "0") > 0;
    const messageId = typeof payload.event?.ts === "string" ? payload.event.ts : undefined;
    return { eventId: payload.event_id, retried, ...(messageId ? { messageId } : {}) };
  } catch {
    // Not JSON (a form-encoded interactive payload): nothing to record.
    return undefined;
  }
}

/** Removes the SDK's marks of a delivery, so that the platform's retry is handled again. */
export async function clearDeliveryMarks(
  state: StateAdapter,
  event: MentionEvent | EventDelivery,
): Promise<void> {
  await Promise.all([
    state.delete(eventDeliveredKey(event.eventId)),
    event.messageId ? state.delete(dedupeKey(event.messageId)) : Promise.resolve(),
  ]);
}
