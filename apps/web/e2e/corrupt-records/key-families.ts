import {
  type BotRequestRecord,
  botRequestKey,
  deadlineBucketKey,
  deadlineBucketStart,
  deadlineExtensionKey,
  messageStateKey,
  progressKey,
  replyKey,
  SWEEPER_CURSOR_KEY,
  threadActiveKey,
  threadQueueKey,
  threadSessionKey,
} from "@baton/core";
import type { RawPlace } from "@baton/stack";

/** Every key family a request's life reads, and where a bad value of it is written. */
export const FAMILIES = [
  "message-state",
  "live-record",
  "reply",
  "status-message",
  "thread-session",
  "thread-active",
  "thread-queue",
  "deadline-bucket",
  "deadline-extension",
  "sweeper-cursor",
] as const;
export type Family = (typeof FAMILIES)[number];

export interface PoisonTarget {
  place: RawPlace;
  key: string;
  /** Set for a deadline bucket: the cursor must move past it. */
  bucket?: number;
}

export function poisonTarget(family: Family, record: BotRequestRecord): PoisonTarget {
  const id = record.id;
  switch (family) {
    case "message-state":
      return { place: "value", key: messageStateKey(id) };
    case "live-record":
      return { place: "value", key: botRequestKey(id) };
    case "reply":
      return { place: "value", key: replyKey(id) };
    case "status-message":
      return { place: "value", key: progressKey(id) };
    case "thread-session":
      return { place: "value", key: threadSessionKey(record.threadId) };
    case "thread-active":
      return { place: "value", key: threadActiveKey(record.threadId) };
    case "thread-queue":
      return { place: "list-item", key: threadQueueKey(record.threadId) };
    case "deadline-bucket": {
      const bucket = deadlineBucketStart(record.deadlineAt);
      return { place: "list-item", key: deadlineBucketKey(bucket), bucket };
    }
    case "deadline-extension":
      return { place: "value", key: deadlineExtensionKey(id) };
    case "sweeper-cursor":
      return { place: "value", key: SWEEPER_CURSOR_KEY };
  }
}

/**
 * How a poisoned request may end. Its context unreadable: error/state-corrupt, the user told.
 * Its record unreadable: it stays reachable (callbacks answered 410 with a code, reported once).
 * Anything else is contained: the request completes as if nothing happened.
 */
export function allowedOutcomes(family: Family): readonly string[] {
  if (family === "message-state") return ["error/state-corrupt"];
  if (family === "live-record") return ["unreadable"];
  return ["completed"];
}
