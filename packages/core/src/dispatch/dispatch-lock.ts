import type { Lock, StateAdapter } from "chat";
import { DISPATCH_LOCK_TTL_MS, dispatchLockId } from "../keys";
import { renewClaimWhileHeld, stopClaimRenewal } from "../state/lock-renewal";
import type { BatchOp } from "../state/state-batch";

/**
 * The right to hand one request to the agent: taken with the thread's lock when the request
 * becomes the thread's active one, held until the agent answered. A sweeper that finds the
 * request stalled takes it too, so a request is never dispatched by two holders at once. Renewed
 * while held (up to the renewal's cap; past that the agent's idempotency per botRequestId still
 * keeps a second dispatch from starting a second run).
 */
export async function acquireDispatchLock(
  state: StateAdapter,
  botRequestId: string,
): Promise<Lock | null> {
  const lock = await state.acquireLock(dispatchLockId(botRequestId), DISPATCH_LOCK_TTL_MS);
  if (lock) renewClaimWhileHeld(state, lock, DISPATCH_LOCK_TTL_MS);
  return lock;
}

/**
 * `acquireDispatchLock` as an op of a caller's batch (it stops the batch when refused); the
 * caller hands a lock it got to `holdDispatchLock`, which starts its renewal.
 */
export function dispatchLockOp(botRequestId: string): BatchOp {
  return {
    kind: "acquireLock",
    lockId: dispatchLockId(botRequestId),
    ttlMs: DISPATCH_LOCK_TTL_MS,
    stopIfRefused: true,
  };
}

export function holdDispatchLock(state: StateAdapter, lock: Lock): Lock {
  renewClaimWhileHeld(state, lock, DISPATCH_LOCK_TTL_MS);
  return lock;
}

/** `releaseDispatchLock` as an op of a caller's batch (renewal stops now). */
export function releaseDispatchLockOp(lock: Lock): BatchOp {
  stopClaimRenewal(lock);
  return { kind: "releaseLock", lock };
}

export function releaseDispatchLock(state: StateAdapter, lock: Lock): Promise<void> {
  stopClaimRenewal(lock);
  return state.releaseLock(lock);
}
