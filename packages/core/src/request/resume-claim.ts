import type { Lock } from "chat";
import type { MessageStateLoad } from "../message-state/message-state-store";
import type { BotRequestRecord, FinalOutcome } from "./bot-request-record";
import type { BotRequestRecords, FinalizeResult } from "./bot-request-store";
import { releaseClaimWhenStoreIsBack } from "./claim-release";
import type { ReplyRecord } from "./reply-store";
import type { RequestStores } from "./request-stores";

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

export type ClaimedRequest = Extract<ResumeStart, { kind: "claimed" }>;

export type ResumeStores = Pick<RequestStores, "requests" | "messageStates" | "replies">;

/**
 * Claims the request first (an atomic lock: never get-then-delete), then reads the final record,
 * the live record, the message state and the reply in one parallel round. The claim is held
 * until `finishResume` or `abandonResume`, so duplicates arriving meanwhile see `busy`.
 */
export async function beginResume(
  stores: ResumeStores,
  botRequestId: string,
): Promise<ResumeStart> {
  const claim = await stores.requests.claim(botRequestId);
  if (!claim) {
    const current = await stores.requests.get(botRequestId);
    if (current.kind === "found" && current.record.finalizedAt !== undefined) {
      return { kind: "already-final", record: current.record };
    }
    return { kind: "busy" };
  }
  try {
    const [records, messageState, reply] = await Promise.all([
      stores.requests.read(botRequestId),
      stores.messageStates.load(botRequestId),
      stores.replies.load(botRequestId),
    ]);
    const start = classify(records, claim, messageState, reply);
    if (start.kind !== "claimed") await stores.requests.release(claim);
    return start;
  } catch (error) {
    // The read failure is what the caller must see; a claim we cannot release now (the store is
    // down) is given back once the store answers again.
    await stores.requests
      .release(claim)
      .catch(() => void releaseClaimWhenStoreIsBack(stores.requests, claim));
    throw error;
  }
}

function classify(
  { final, live }: BotRequestRecords,
  claim: Lock,
  messageState: MessageStateLoad,
  reply: ReplyRecord | undefined,
): ResumeStart {
  if (final.kind !== "missing") {
    return { kind: "already-final", record: final.kind === "found" ? final.record : null };
  }
  if (live.kind === "missing") return { kind: "unknown" };
  if (live.kind === "corrupt") return { kind: "corrupt-record", reason: live.reason };
  return { kind: "claimed", claim, record: live.record, messageState, reply };
}

/** Records the outcome (exactly once), drops the resume and reply state, releases the claim. */
export async function finishResume(
  stores: ResumeStores,
  start: ClaimedRequest,
  outcome: FinalOutcome,
): Promise<FinalizeResult> {
  const result = await stores.requests.finalize(start.record, outcome);
  await Promise.all([
    stores.messageStates.delete(start.record.id),
    stores.replies.delete(start.record.id),
    stores.requests.release(start.claim),
  ]);
  return result;
}

/** Gives the claim back without an outcome (a transient failure): a retry can resume later. */
export function abandonResume(stores: ResumeStores, start: ClaimedRequest): Promise<void> {
  return stores.requests.release(start.claim);
}
