import type { Lock } from "chat";
import { BatonError } from "../errors";
import {
  type MessageStateLoad,
  parseStoredMessageState,
} from "../message-state/message-state-store";
import { type BatchOp, type BatchResult, readAt } from "../state/state-batch";
import type { StoredRead } from "../state/stored-value";
import type { BotRequestRecord, FinalOutcome } from "./bot-request-record";
import type { BotRequestRecords, FinalizeResult } from "./bot-request-store";
import { releaseClaimWhenStoreIsBack } from "./claim-release";
import type { ReplyRecord } from "./reply-store";
import type { RequestStores } from "./request-stores";
import type { StatusMessage } from "./status-message-store";

/** How an attempt to resume a request starts. Only `claimed` may post anything. */
export type ResumeStart =
  | {
      kind: "claimed";
      claim: Lock;
      record: BotRequestRecord;
      messageState: MessageStateLoad;
      /** The reply recorded by an earlier attempt, if any: it is continued, not replaced. */
      reply: ReplyRecord | undefined;
      /** The status message as it was when the claim was won (its session URL, for the answer). */
      status: StatusMessage | undefined;
    }
  | { kind: "busy" }
  | { kind: "already-final"; record: BotRequestRecord | null }
  | { kind: "unknown" }
  | { kind: "corrupt-record"; reason: string };

export type ClaimedRequest = Extract<ResumeStart, { kind: "claimed" }>;

export type ResumeStores = Pick<
  RequestStores,
  "requests" | "messageStates" | "replies" | "statusMessages"
>;

/**
 * Claims the request (an atomic lock: never get-then-delete) and reads the final record, the live
 * record, the message state, the reply and the status message, all in one batch: one round trip
 * on a backend with batches (state-batch.ts), else the same calls one by one, the claim first.
 * The claim is held until `finishResume` or `abandonResume`, so duplicates meanwhile see `busy`.
 */
export async function beginResume(
  stores: ResumeStores,
  botRequestId: string,
): Promise<ResumeStart> {
  const start = await beginGuardedResume(stores, botRequestId);
  if (start.kind === "guard-refused") {
    throw new BatonError("INVARIANT_BROKEN", "a resume without a guard was refused by its guard");
  }
  return start;
}

/**
 * `beginResume` after a guard op of the caller's in the same batch (the callback's replay guard):
 * when the guard is refused, nothing else is done.
 */
export async function beginGuardedResume(
  stores: ResumeStores,
  botRequestId: string,
  guard?: BatchOp,
): Promise<ResumeStart | { kind: "guard-refused" }> {
  const head: BatchOp[] = guard ? [guard] : [];
  const at = head.length;
  const claimOps = stores.requests.claimOps(botRequestId);
  const ops: BatchOp[] = [
    ...head,
    ...claimOps,
    { kind: "get", key: stores.messageStates.keyOf(botRequestId) },
    stores.replies.loadOp(botRequestId),
    stores.statusMessages.getOp(botRequestId),
  ];
  const results = await stores.requests.runBatch(ops);
  const after = at + claimOps.length;
  if (guard && results[0]?.kind === "stored" && !results[0].stored)
    return { kind: "guard-refused" };
  const { claim, records } = stores.requests.claimedFrom(results, at);
  if (!claim) return unclaimed(records);
  try {
    const start = classify(records, claim, {
      messageState: messageStateFrom(readAt(results, after)),
      reply: stores.replies.fromRead(botRequestId, readAt(results, after + 1)),
      status: stores.statusMessages.fromRead(botRequestId, readAt(results, after + 2)),
    });
    if (start.kind !== "claimed") await stores.requests.release(claim);
    return start;
  } catch (error) {
    // The release failure is what the caller must see; a claim we cannot release now (the store
    // is down) is given back once the store answers again.
    void releaseClaimWhenStoreIsBack(stores.requests, claim);
    throw error;
  }
}

/** Nobody could claim it: final already, or another holder is at work. */
function unclaimed({ final, live }: BotRequestRecords): ResumeStart {
  const current = final.kind === "missing" ? live : final;
  if (current.kind === "found" && current.record.finalizedAt !== undefined) {
    return { kind: "already-final", record: current.record };
  }
  return { kind: "busy" };
}

function messageStateFrom(read: StoredRead<unknown>): MessageStateLoad {
  return read.kind === "corrupt"
    ? read
    : parseStoredMessageState(read.kind === "found" ? read.value : null);
}

function classify(
  { final, live }: BotRequestRecords,
  claim: Lock,
  loaded: Pick<ClaimedRequest, "messageState" | "reply" | "status">,
): ResumeStart {
  if (final.kind !== "missing") {
    return { kind: "already-final", record: final.kind === "found" ? final.record : null };
  }
  if (live.kind === "missing") return { kind: "unknown" };
  if (live.kind === "corrupt") return { kind: "corrupt-record", reason: live.reason };
  return { kind: "claimed", claim, record: live.record, ...loaded };
}

/**
 * The caller's ops for the batch that ends a request (a callback's timeline entry, its thread's
 * idle check), placed after the finalisation and the claim's release: built knowing the index
 * they start at, and handed that batch's results once it ran.
 */
export interface FinishExtras {
  ops(at: number): readonly BatchOp[];
  ran?(results: readonly BatchResult[], at: number): void;
}

/** Records the outcome (exactly once), drops the resume and reply state, releases the claim. */
export async function finishResume(
  stores: ResumeStores,
  start: ClaimedRequest,
  outcome: FinalOutcome,
  extras?: FinishExtras,
): Promise<FinalizeResult> {
  return (await finishResumeAfter(stores, start, outcome, [], extras)).finalized;
}

/**
 * `finishResume` in one batch after `before`, ops of the caller's (closing the status): when one
 * of them stops the batch, nothing is finalised, the claim is still held and `extras` did not run.
 */
export async function finishResumeAfter(
  stores: ResumeStores,
  start: ClaimedRequest,
  outcome: FinalOutcome,
  before: readonly BatchOp[],
  extras?: FinishExtras,
): Promise<{ finalized: FinalizeResult; results: BatchResult[] }> {
  const id = start.record.id;
  const finalize = stores.requests.finalizeOps(start.record, outcome);
  const ops: BatchOp[] = [
    ...before,
    ...finalize.ops,
    { kind: "delete", key: stores.messageStates.keyOf(id) },
    stores.replies.deleteOp(id),
    stores.requests.releaseOp(start.claim),
  ];
  const releasedAt = ops.length - 1;
  const at = ops.length;
  const results = await stores.requests.runBatch([...ops, ...(extras?.ops(at) ?? [])]);
  if (results[releasedAt]?.kind !== "skipped") {
    stores.requests.released(start.claim);
    extras?.ran?.(results, at);
  }
  return { finalized: finalize.result(results, before.length), results };
}

/** Gives the claim back without an outcome (a transient failure): a retry can resume later. */
export function abandonResume(stores: ResumeStores, start: ClaimedRequest): Promise<void> {
  return stores.requests.release(start.claim);
}
