import type { StateAdapter } from "chat";

/**
 * Before a Slack handler runs, the Slack adapter marks the event delivered and the Chat SDK
 * writes its dedupe key, and both make a retry of that event skip the handler. When Baton could
 * not store a mention, those marks must go, or Slack's retry would be skipped and the mention
 * lost. The key names are the SDK's (chat 4.41 / @chat-adapter/slack 4.41).
 */
const eventDeliveredKey = (eventId: string) => `slack:event-delivered:${eventId}`;
const dedupeKey = (messageTs: string) => `dedupe:slack:${messageTs}`;

export interface SlackMentionEvent {
  eventId: string;
  messageTs: string;
}

/** The app_mention inside a Slack events payload, if that is what it carries. */
export function slackMentionEvent(body: string): SlackMentionEvent | undefined {
  try {
    const payload = JSON.parse(body) as {
      type?: string;
      event_id?: string;
      event?: { type?: string; ts?: string };
    };
    if (payload.type !== "event_callback" || payload.event?.type !== "app_mention")
      return undefined;
    if (!payload.event_id || !payload.event.ts) return undefined;
    return { eventId: payload.event_id, messageTs: payload.event.ts };
  } catch {
    return undefined;
  }
}

export async function clearSlackEventMarkers(state: StateAdapter, event: SlackMentionEvent) {
  await Promise.all([
    state.delete(eventDeliveredKey(event.eventId)),
    state.delete(dedupeKey(event.messageTs)),
  ]);
}
