import type { BotRequestRecord } from "../request/bot-request-record";
import type { ReplyRecord } from "../request/reply-store";
import type { RequestEvent } from "../request/request-events";
import { type OperatorDeps, type RequestSummary, summarise } from "./request-overview";

export type TimelineStep =
  | "received"
  | "stored"
  | "dispatched"
  | "callback"
  | "reply-recorded"
  | "posted"
  | "finalised"
  | "operator";

export interface TimelineEntry {
  /** Epoch ms; absent when no record keeps the moment (it is placed in order of the life). */
  at?: number;
  step: TimelineStep;
  /** Codes and counts only, never message text. */
  detail: string;
}

export type RequestTimeline =
  | { kind: "found"; summary: RequestSummary; entries: TimelineEntry[]; replyPending: boolean }
  | { kind: "missing" }
  | { kind: "corrupt"; reason: string };

/**
 * One request's life, derived from what is stored: the record (received, dispatched,
 * finalised), the message state (stored), the reply record (posted so far), and the event
 * list (each callback with its answer's code, operator actions).
 */
export async function requestTimeline(
  deps: OperatorDeps,
  botRequestId: string,
): Promise<RequestTimeline> {
  const [load, messageState, reply, events] = await Promise.all([
    deps.requests.get(botRequestId),
    deps.messageStates.load(botRequestId),
    deps.replies.load(botRequestId),
    deps.events.list(botRequestId),
  ]);
  if (load.kind !== "found") return load;
  const { record } = load;
  const entries: TimelineEntry[] = [
    {
      at: record.createdAt,
      step: "received",
      detail: `${record.platform} message ${record.messageId} from ${record.author.userId}`,
    },
    storedEntry(record, messageState.kind),
    ...dispatchedEntry(record),
    ...events.map(eventEntry),
    ...replyEntries(reply),
    ...finalEntries(record),
  ];
  return {
    kind: "found",
    summary: summarise(record, deps.now()),
    entries: inOrder(entries),
    replyPending: reply !== undefined && record.finalizedAt === undefined,
  };
}

function storedEntry(record: BotRequestRecord, messageState: string): TimelineEntry {
  const final = record.finalizedAt !== undefined;
  const detail =
    messageState === "found"
      ? "record and message state stored"
      : final
        ? "record stored; message state dropped when it ended"
        : `record stored; message state ${messageState}`;
  return { at: record.createdAt, step: "stored", detail };
}

function dispatchedEntry(record: BotRequestRecord): TimelineEntry[] {
  if (!record.executionId) return [];
  const at = record.status === "running" ? record.updatedAt : undefined;
  const session = record.agentSessionId ? `, session ${record.agentSessionId}` : "";
  return [
    {
      ...(at ? { at } : {}),
      step: "dispatched",
      detail: `execution ${record.executionId}${session}`,
    },
  ];
}

function eventEntry(event: RequestEvent): TimelineEntry {
  if (event.kind === "operator") {
    return { at: event.at, step: "operator", detail: `${event.code} by ${event.actor ?? "?"}` };
  }
  return { at: event.at, step: "callback", detail: `${event.status ?? "?"} ${event.code}` };
}

function replyEntries(reply: ReplyRecord | undefined): TimelineEntry[] {
  if (!reply) return [];
  const inFlight = reply.inFlight ? `, chunk ${reply.inFlight.index + 1} in flight` : "";
  return [
    {
      step: "reply-recorded",
      detail: `${reply.outcome.status}: ${reply.posted} of ${reply.chunks.length} chunks posted${inFlight}`,
    },
  ];
}

function finalEntries(record: BotRequestRecord): TimelineEntry[] {
  if (record.finalizedAt === undefined) return [];
  const at = record.finalizedAt;
  const error = record.error ? ` (${record.error.code})` : "";
  const posted: TimelineEntry[] =
    record.status === "completed" ? [{ at, step: "posted", detail: "answer posted" }] : [];
  return [...posted, { at, step: "finalised", detail: `${record.status}${error}` }];
}

/** By time; an entry without one keeps its place after the one before it. */
function inOrder(entries: TimelineEntry[]): TimelineEntry[] {
  let last = 0;
  const keyed = entries.map((entry, index) => {
    last = entry.at ?? last;
    return { entry, key: last, index };
  });
  return keyed.sort((a, b) => a.key - b.key || a.index - b.index).map((k) => k.entry);
}
