import type { Lock, StateAdapter } from "chat";
import { botRequestFinalKey, botRequestKey, messageStateKey, replyKey } from "../keys";
import {
  type MessageStateLoad,
  parseStoredMessageState,
} from "../message-state/message-state-store";
import type { BotRequestRecord, FinalOutcome } from "./bot-request-record";
import {
  type BotRequestStore,
  type FinalizeResult,
  parseBotRequestRecord,
} from "./bot-request-store";
import { releaseClaimWhenStoreIsBack } from "./claim-release";
import { parseReplyRecord, type ReplyRecord } from "./reply-store";

/** How an attempt to resume a request starts. Only `claimed` may post anything. */
export type ResumeStart =
  | {
      kind: "claimed";
      claim: Lock;
      record: BotRequestRecord;
      messageState: MessageStateLoad;
      /** The reply recorded by an earlier attempt, if any: it is continued, not replaced. */
      reply: ReplyRecord | undefined;
    }
  | { kind: "busy" }
  | { kind: "already-final"; record: BotRequestRecord | null }
  | { kind: "unknown" }
  | { kind: "corrupt-record"; reason: string };

export interface ResumeSessionDeps {
  state: StateAdapter;
  requests: BotRequestStore;
  /** Runs after this attempt finalised the request (e.g. hand the thread to its next follow-up). */
  onFinished?(record: BotRequestRecord): Promise<void>;
}

/**
 * Claims the request first (an atomic lock: never get-then-delete), then reads the final record,
 * the live record and the message state in one parallel round. The claim is held until
 * `finishResume` or `abandonResume`, so duplicates arriving meanwhile see `busy`.
 */
export async function beginResume(
  deps: ResumeSessionDeps,
  botRequestId: string,
): Promise<ResumeStart> {
  const claim = await deps.requests.claim(botRequestId);
  if (!claim) {
    const current = await deps.requests.get(botRequestId);
    if (current.kind === "found" && current.record.finalizedAt !== undefined) {
      return { kind: "already-final", record: current.record };
    }
    return { kind: "busy" };
  }
  try {
    const [final, live, messageState, reply] = await Promise.all([
      deps.state.get(botRequestFinalKey(botRequestId)),
      deps.state.get(botRequestKey(botRequestId)),
      deps.state.get(messageStateKey(botRequestId)),
      deps.state.get(replyKey(botRequestId)),
    ]);
    const start = classify({ final, live, messageState, reply }, claim);
    if (start.kind !== "claimed") await deps.requests.release(claim);
    return start;
  } catch (error) {
    // The read failure is what the caller must see; a claim we cannot release now (the store is
    // down) is given back once the store answers again.
    await deps.requests
      .release(claim)
      .catch(() => void releaseClaimWhenStoreIsBack(deps.requests, claim));
    throw error;
  }
}

function classify(
  {
    final,
    live,
    messageState,
    reply,
  }: Record<"final" | "live" | "messageState" | "reply", unknown>,
  claim: Lock,
): ResumeStart {
  if (final !== null && final !== undefined) {
    const parsed = parseBotRequestRecord(final);
    return { kind: "already-final", record: parsed.kind === "found" ? parsed.record : null };
  }
  const record = parseBotRequestRecord(live);
  if (record.kind === "missing") return { kind: "unknown" };
  if (record.kind === "corrupt") return { kind: "corrupt-record", reason: record.reason };
  return {
    kind: "claimed",
    claim,
    record: record.record,
    messageState: parseStoredMessageState(messageState),
    reply: parseReplyRecord(reply),
  };
}

/** Records the outcome (exactly once), drops the resume and reply state, releases the claim. */
export async function finishResume(
  deps: ResumeSessionDeps,
  start: Extract<ResumeStart, { kind: "claimed" }>,
  outcome: FinalOutcome,
): Promise<FinalizeResult> {
  const result = await deps.requests.finalize(start.record, outcome);
  await Promise.all([
    deps.state.delete(messageStateKey(start.record.id)),
    deps.state.delete(replyKey(start.record.id)),
    deps.requests.release(start.claim),
  ]);
  if (result.kind === "finalized") await deps.onFinished?.(result.record);
  return result;
}

/** Gives the claim back without an outcome (a transient failure): a retry can resume later. */
export function abandonResume(
  deps: ResumeSessionDeps,
  start: Extract<ResumeStart, { kind: "claimed" }>,
): Promise<void> {
  return deps.requests.release(start.claim);
}
