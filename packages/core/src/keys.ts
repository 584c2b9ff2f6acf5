/**
 * Every key, prefix, TTL and limit the resume store uses, in one place. Keys live in the Chat SDK
 * StateAdapter's cache namespace (the Redis adapter prefixes them, e.g. `chat-sdk:cache:`), claims
 * in its lock namespace.
 */

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/** How long the slim thread + message needed to post the reply are kept. */
export const MESSAGE_STATE_TTL_MS = DAY_MS;
/** Bot request records outlive the message state so operators can still see what happened. */
export const BOT_REQUEST_RECORD_TTL_MS = 7 * DAY_MS;
/** How long an agent has before a request is given up; well inside the message-state TTL. */
export const REQUEST_DEADLINE_MS = 2 * HOUR_MS;
/**
 * A resume claim lives this long unless its holder renews it (several times per TTL while it
 * works): short, so a claim whose holder died frees its request within seconds, and an agent
 * retrying on "in progress" finds it free before its retries run out.
 */
export const RESUME_CLAIM_TTL_MS = 10_000;
/** No resume holds a claim longer than this, renewals included (a forgotten claim still expires). */
export const RESUME_CLAIM_MAX_HOLD_MS = 2 * MINUTE_MS;

/** Schema versions of what we store; bump on any incompatible change and keep reading the old one. */
export const MESSAGE_STATE_VERSION = 1;
export const BOT_REQUEST_RECORD_VERSION = 1;

export const MESSAGE_STATE_KEY_PREFIX = "bot-request-message-state:";
export const BOT_REQUEST_KEY_PREFIX = "bot-request:";
export const BOT_REQUEST_FINAL_KEY_PREFIX = "bot-request-final:";
export const RESUME_CLAIM_LOCK_PREFIX = "bot-request-claim:";
/** Requests are indexed by deadline in buckets of this width (lists keyed by bucket start). */
export const DEADLINE_BUCKET_MS = MINUTE_MS;
export const DEADLINE_BUCKET_PREFIX = "bot-request-deadlines:";
/** A deadline moved by progress callbacks; absent means the record's own `deadlineAt`. */
export const DEADLINE_EXTENSION_KEY_PREFIX = "bot-request-deadline:";
/** No request runs longer than this, however much progress it reports. */
export const MAX_REQUEST_DEADLINE_MS = 12 * HOUR_MS;
/** The sweeper's cursor: the start of the last bucket it finished. */
export const SWEEPER_CURSOR_KEY = "bot-request-sweeper:cursor";
export const SWEEPER_LOCK_ID = "bot-request-sweeper";
/**
 * A sweep's lock lapses this soon after its holder dies (it is extended as the sweep advances),
 * so a crash mid-sweep pauses sweeping for seconds, not minutes. A second sweeper running
 * meanwhile is harmless: each request is claimed before it is finalised.
 */
export const SWEEPER_LOCK_TTL_MS = 20_000;
/**
 * What the sweeper last failed on for one request (a signature and the attempts so far): the
 * failure is reported when it first appears or changes, not on every pass, and the request is
 * looked at again after a backoff that doubles per attempt up to the cap.
 */
/**
 * Marks a corrupt value already reported (per key family and owner), so a bad value read on every
 * sweep or callback is reported once, not on every read, while it lasts.
 */
export const CORRUPT_REPORTED_KEY_PREFIX = "bot-request-corrupt-reported:";
export const CORRUPT_REPORTED_TTL_MS = DAY_MS;
export const SWEEP_FAILURE_KEY_PREFIX = "bot-request-sweep-failure:";
export const SWEEP_RETRY_BASE_MS = 30_000;
export const SWEEP_RETRY_MAX_MS = 30 * MINUTE_MS;
/** How often each instance tries to sweep (one wins the lock). */
export const SWEEP_INTERVAL_MS = 30_000;
/** Most deadline buckets one sweep reads, so a sweep after a long outage still ends. */
export const SWEEP_MAX_BUCKETS = 24 * 60;
/** The agent's result, recorded before posting so a failed post is retried without the agent. */
export const REPLY_KEY_PREFIX = "bot-request-reply:";
/** The bot request created for a platform message: a retried or repeated event maps to it. */
export const MENTION_KEY_PREFIX = "bot-request-by-message:";
/** Signed callback requests already presented (webhook id + timestamp), to refuse exact replays. */
export const CALLBACK_SEEN_KEY_PREFIX = "bot-request-callback-seen:";
/** Outlives the 5-minute signature window in both directions, after which a replay fails anyway. */
export const CALLBACK_SEEN_TTL_MS = 11 * MINUTE_MS;
/** thread -> agent session: a follow-up continues the session; refreshed on every use. */
export const THREAD_SESSION_KEY_PREFIX = "bot-thread-session:";
export const THREAD_SESSION_TTL_MS = 7 * DAY_MS;
/** thread -> the request running in it; a follow-up waits in the thread's queue meanwhile. */
export const THREAD_ACTIVE_KEY_PREFIX = "bot-thread-active:";
export const THREAD_QUEUE_KEY_PREFIX = "bot-thread-queue:";
export const THREAD_LOCK_PREFIX = "bot-thread-lock:";
export const THREAD_LOCK_TTL_MS = 10_000;
/** Follow-ups remembered per thread; older ones are long finished. */
export const THREAD_QUEUE_MAX = 100;
/**
 * Held by whoever hands a request to the agent, from admission until the agent answered, so a
 * sweeper recovering stalled requests never dispatches one that is being dispatched. Renewed
 * while held, it lapses this soon after its holder died.
 */
export const DISPATCH_LOCK_PREFIX = "bot-request-dispatch:";
export const DISPATCH_LOCK_TTL_MS = 10_000;
/**
 * A stored request is checked this long after it was filed, and again while it waits in its
 * thread's queue: one still not handed to the agent by then lost its dispatcher (a crash after
 * the mention was acknowledged, or a hand-off that never happened) and the sweeper dispatches it.
 * Longer than the lock's TTL, so a dead dispatcher's lock has lapsed by the first check.
 */
export const DISPATCH_CHECK_DELAY_MS = 15_000;
export const PROGRESS_KEY_PREFIX = "bot-request-progress:";
export const PROGRESS_LOCK_PREFIX = "bot-request-progress-lock:";
/**
 * The lock on showing one progress update: as short as a resume claim and renewed while its
 * holder works, so a holder that died (SIGKILL, a lost host) blocks the request's progress for
 * at most this long, while a slow post or edit by a live holder keeps it.
 */
export const PROGRESS_LOCK_TTL_MS = RESUME_CLAIM_TTL_MS;
/**
 * A progress that only adds answer text edits the status message at most this often (Slack's
 * chat.update allows about one edit per second per channel); a status or plan change always shows.
 */
export const PROGRESS_TEXT_EDIT_INTERVAL_MS = 1_000;
/**
 * The streamed answer shown in the status message is cut to this many characters (a preview): one
 * card section, which Slack caps at 3,000.
 */
export const PROGRESS_PREVIEW_MAX_CHARS = 2_800;
/** Streamed text kept per request; deltas beyond it are not stored (the preview is shorter). */
export const PROGRESS_TEXT_MAX_CHARS = 64 * 1024;
/**
 * A native stream waits this long for a missing sequence below a delta it has (a progress still
 * on its way, or a sequence the agent skipped) before appending past it. The answer replaces the
 * stream at the end, so a delta skipped here is never missing from what the user keeps.
 */
export const PROGRESS_STREAM_GAP_WAIT_MS = 2_000;
/** Sequences held back behind a gap, at most; beyond it the gap is skipped at once. */
export const PROGRESS_STREAM_MAX_PENDING = 200;
/** Text-only appends to a native stream happen at most this often; a plan change always goes. */
export const PROGRESS_STREAM_APPEND_INTERVAL_MS = 500;
/**
 * A stream start's nonce, in hex digits: written invisibly into the stream's first line so the
 * stream of a starter that died before recording it is found in the thread (48 bits: no two
 * starts of one thread's requests share one).
 */
export const STREAM_NONCE_HEX_CHARS = 12;
/**
 * A stream start younger than this may still be on its way to Slack (its starter just died with
 * the call in flight): the request's end, finding no stream for it yet, looks once more when the
 * start is this old. Slack answers a start in well under a second.
 */
export const STREAM_START_SETTLE_MS = 2_000;
/**
 * Stream starts looked for and not found (yet) that a request keeps, so its end looks for them
 * once more: one per start whose starter died, a handful at most.
 */
export const STREAM_UNFOUND_INTENTS_MAX = 8;
/** How long ending a request waits for a progress update being shown before closing the status. */
export const PROGRESS_CLOSE_WAIT_MS = 3_000;
/**
 * A request's end that went on without the progress lock (an update was still under way) has its
 * status looked at once more this much later, by the sweeper: the update's post or stream start
 * may have landed after the end looked, or its write gone over the closed status.
 */
export const STATUS_RECHECK_DELAY_MS = 30_000;

/** Button action ids on the status message and the answer; the button's value is the request id. */
export const CANCEL_ACTION_ID = "baton-cancel";
export const RETRY_ACTION_ID = "baton-retry";
/** An answer chunk longer than this keeps its plain form (a card section holds 3,000 characters). */
export const ANSWER_ACTIONS_MAX_CHARS = 2_900;

/**
 * The files a dispatch listed for its agent (platform references, never bytes), served by
 * `GET /api/internal/bot-request-files/{id}/{fileRef}` while the request runs.
 */
export const REQUEST_FILES_KEY_PREFIX = "bot-request-files:";
export const REQUEST_FILES_VERSION = 1;
/** Largest file Baton serves to an agent; larger ones are listed but refused with 413. */
export const MAX_SERVED_FILE_BYTES = 20 * 1024 * 1024;
/**
 * Fetching one file from the platform for the agent: through the adapter (buffered) the whole
 * download must finish within this; when streamed, the platform's response headers must.
 */
export const FILE_FETCH_TIMEOUT_MS = 30_000;
/** A streamed file fails when the platform sends nothing this long while the agent waits. */
export const FILE_STREAM_IDLE_TIMEOUT_MS = 15_000;
/** A streamed file fails when its whole transfer takes longer than this (a slow agent too). */
export const FILE_STREAM_TOTAL_TIMEOUT_MS = 5 * 60_000;
/**
 * Bytes of files (by their declared size) that earlier turns carry into a dispatch, newest first:
 * an image from turn 1 still reaches turn 2, a thread full of uploads does not flood the agent.
 */
export const MAX_HISTORY_FILE_BYTES = 50 * 1024 * 1024;
/** Largest file of an agent's answer Baton fetches and posts; a larger one is named instead. */
export const MAX_REPLY_FILE_BYTES = 10 * 1024 * 1024;
/** Fetching one file of an agent's answer must finish within this. */
export const REPLY_FILE_FETCH_TIMEOUT_MS = 15_000;
/**
 * A verified platform webhook, recorded before it is acknowledged and removed once what it
 * carries is stored (or refused): `webhook-inbox:{platform}:{deliveryId}`. It outlives the
 * platform's retries (Slack stops after about 5 minutes), so a retry of a recorded delivery finds
 * it and changes nothing, and it gives the drain an hour to process a delivery whose instance died.
 */
export const WEBHOOK_INBOX_KEY_PREFIX = "webhook-inbox:";
export const WEBHOOK_INBOX_TTL_MS = HOUR_MS;
export const WEBHOOK_INBOX_VERSION = 1;
/** Recorded deliveries indexed by minute of receipt, so a drain finds them without a scan. */
export const WEBHOOK_INBOX_INDEX_PREFIX = "webhook-inbox-index:";
export const WEBHOOK_INBOX_BUCKET_MS = MINUTE_MS;
/** Most index entries per bucket: far above any real webhook rate per minute and instance group. */
export const WEBHOOK_INBOX_BUCKET_MAX = 10_000;
/**
 * A recorded delivery still present this long after receipt lost its processor (it died after
 * answering, or storing failed) and is processed again. Far above the normal 0.1-2.5 s (the
 * Slack adapter waits up to 2 s for link unfurls before the handler runs).
 */
export const WEBHOOK_INBOX_REPLAY_AFTER_MS = 10_000;
/** How often each instance tries to drain the inbox (one at a time, under a lock). */
export const WEBHOOK_INBOX_DRAIN_INTERVAL_MS = 5_000;
export const WEBHOOK_INBOX_DRAIN_LOCK_ID = "webhook-inbox-drain";
/**
 * Recorded deliveries a drain replays at once: most of a link-bearing mention's processing is
 * the SDK's 2 s idle wait for unfurls, so one at a time would take hours after a burst.
 */
export const WEBHOOK_INBOX_DRAIN_BATCH = 16;
/** The drain's lock lapses this soon after its holder died; extended after every delivery. */
export const WEBHOOK_INBOX_DRAIN_LOCK_TTL_MS = 30_000;

/** Ids are generated by us (UUIDs); anything else in a key position is refused, never stored. */
export const BOT_REQUEST_ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;

export function messageStateKey(botRequestId: string): string {
  return MESSAGE_STATE_KEY_PREFIX + botRequestId;
}

export function botRequestKey(botRequestId: string): string {
  return BOT_REQUEST_KEY_PREFIX + botRequestId;
}

export function botRequestFinalKey(botRequestId: string): string {
  return BOT_REQUEST_FINAL_KEY_PREFIX + botRequestId;
}

export function resumeClaimLockId(botRequestId: string): string {
  return RESUME_CLAIM_LOCK_PREFIX + botRequestId;
}

export function isValidBotRequestId(value: string): boolean {
  return BOT_REQUEST_ID_PATTERN.test(value);
}

export function progressKey(botRequestId: string): string {
  return PROGRESS_KEY_PREFIX + botRequestId;
}

export function progressLockId(botRequestId: string): string {
  return PROGRESS_LOCK_PREFIX + botRequestId;
}

export function deadlineBucketStart(deadlineAt: number): number {
  return Math.floor(deadlineAt / DEADLINE_BUCKET_MS) * DEADLINE_BUCKET_MS;
}

export function deadlineBucketKey(bucketStart: number): string {
  return DEADLINE_BUCKET_PREFIX + String(bucketStart);
}

export function deadlineExtensionKey(botRequestId: string): string {
  return DEADLINE_EXTENSION_KEY_PREFIX + botRequestId;
}

export function replyKey(botRequestId: string): string {
  return REPLY_KEY_PREFIX + botRequestId;
}

export function mentionKey(platform: string, messageId: string): string {
  return `${MENTION_KEY_PREFIX}${platform}:${messageId}`;
}

export function callbackSeenKey(
  botRequestId: string,
  webhookId: string,
  timestamp: number,
): string {
  return `${CALLBACK_SEEN_KEY_PREFIX}${botRequestId}:${webhookId}:${timestamp}`;
}

export function threadSessionKey(threadId: string): string {
  return THREAD_SESSION_KEY_PREFIX + threadId;
}

export function threadActiveKey(threadId: string): string {
  return THREAD_ACTIVE_KEY_PREFIX + threadId;
}

export function threadQueueKey(threadId: string): string {
  return THREAD_QUEUE_KEY_PREFIX + threadId;
}

export function threadLockId(threadId: string): string {
  return THREAD_LOCK_PREFIX + threadId;
}

export function corruptReportedKey(family: string, owner: string): string {
  return `${CORRUPT_REPORTED_KEY_PREFIX}${family}:${owner}`;
}

export function sweepFailureKey(botRequestId: string): string {
  return SWEEP_FAILURE_KEY_PREFIX + botRequestId;
}

export function dispatchLockId(botRequestId: string): string {
  return DISPATCH_LOCK_PREFIX + botRequestId;
}

/**
 * A refused message's notice is sent once: the first handler of the message writes this marker,
 * a redelivery finds it. Slack redelivers within minutes; an hour covers every retry.
 */
export const ACCESS_REFUSAL_KEY_PREFIX = "access-refusal:";
export const ACCESS_REFUSAL_TTL_MS = HOUR_MS;

export function accessRefusalKey(platform: string, messageId: string): string {
  return `${ACCESS_REFUSAL_KEY_PREFIX}${platform}:${messageId}`;
}

/**
 * A linked account: platform, workspace and user -> the agent's account id. Kept until the user
 * unlinks (or the workspace uninstalls), so no TTL.
 */
export const IDENTITY_KEY_PREFIX = "identity:";

export function identityKey(platform: string, workspaceId: string, userId: string): string {
  return `${IDENTITY_KEY_PREFIX}${platform}:${workspaceId}:${userId}`;
}

/**
 * The users of a workspace who linked an account, so uninstalling the app can remove them all:
 * the state adapter has no key scan. Kept as long as the identities, so no TTL.
 */
export const IDENTITY_INDEX_KEY_PREFIX = "identity-index:";

export function identityIndexKey(platform: string, workspaceId: string): string {
  return `${IDENTITY_INDEX_KEY_PREFIX}${platform}:${workspaceId}`;
}

/**
 * A link command (`unlink` in a DM) is answered once: a redelivery of the same message finds
 * this marker. An hour covers every platform retry, as for refusal notices.
 */
export const LINK_COMMAND_KEY_PREFIX = "link-command:";
export const LINK_COMMAND_TTL_MS = HOUR_MS;

export function linkCommandKey(platform: string, messageId: string): string {
  return `${LINK_COMMAND_KEY_PREFIX}${platform}:${messageId}`;
}

/**
 * Account linking: the slim thread and message of a request held until its author links an
 * account, and the mark that a link was used (so it replays the message once).
 */
export const LINK_CONTEXT_TTL_MS = 30 * MINUTE_MS;
export const LINK_CONTEXT_KEY_PREFIX = "link-context:";
export const LINK_USED_KEY_PREFIX = "link-used:";

export function linkContextKey(contextId: string): string {
  return LINK_CONTEXT_KEY_PREFIX + contextId;
}

export function linkUsedKey(contextId: string): string {
  return LINK_USED_KEY_PREFIX + contextId;
}

export function requestFilesKey(botRequestId: string): string {
  return REQUEST_FILES_KEY_PREFIX + botRequestId;
}

export function webhookInboxKey(platform: string, deliveryId: string): string {
  return `${WEBHOOK_INBOX_KEY_PREFIX}${platform}:${deliveryId}`;
}

export function webhookInboxIndexKey(bucketStart: number): string {
  return WEBHOOK_INBOX_INDEX_PREFIX + String(bucketStart);
}

/**
 * A request's timeline entries that no record keeps (each callback with its code, operator
 * actions): a short capped list, kept as long as the request's records.
 */
export const REQUEST_EVENTS_KEY_PREFIX = "bot-request-events:";
export const REQUEST_EVENTS_MAX = 50;

export function requestEventsKey(botRequestId: string): string {
  return REQUEST_EVENTS_KEY_PREFIX + botRequestId;
}

/** Every operator action, newest last: one capped list, kept for a quarter. */
export const OPERATOR_AUDIT_KEY = "operator-audit";
export const OPERATOR_AUDIT_MAX = 1_000;
export const OPERATOR_AUDIT_TTL_MS = 90 * DAY_MS;
/** How far back the console lists requests by default, and at most (deadline buckets read). */
export const OPERATOR_LOOKBACK_MS = 6 * HOUR_MS;
export const OPERATOR_MAX_LOOKBACK_MS = DAY_MS;
/** Most requests one console listing shows (newest first). */
export const OPERATOR_LIST_MAX = 300;

/**
 * Operator sign-in attempts (right token or wrong), counted per fixed window across every
 * instance: the attempt past the limit is refused (429) before the token is even compared.
 */
export const OPERATOR_SIGN_IN_KEY_PREFIX = "operator-sign-in:";
export const OPERATOR_SIGN_IN_MAX_ATTEMPTS = 10;
export const OPERATOR_SIGN_IN_WINDOW_MS = MINUTE_MS;

export function operatorSignInKey(windowStart: number): string {
  return OPERATOR_SIGN_IN_KEY_PREFIX + String(windowStart);
}
