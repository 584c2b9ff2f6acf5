import type { Lock, StateAdapter } from "chat";
import { RESUME_CLAIM_MAX_HOLD_MS } from "../keys";

/** Renewals per TTL: an event loop blocked for seconds (a busy SQLite writer) still renews in time. */
const RENEWALS_PER_TTL = 4;

const renewals = new WeakMap<Lock, ReturnType<typeof setInterval>>();

/**
 * Keeps a resume claim alive while its holder works: the claim's TTL is short, so a claim whose
 * holder died (a crash, a kill, a lost host) frees the request within seconds, and a live holder
 * renews it for as long as it posts. Renewal stops when the claim is released, when the store
 * says it is no longer ours, or after `RESUME_CLAIM_MAX_HOLD_MS`, so a forgotten claim still
 * expires. A store failure while renewing is ignored: the next renewal tries again.
 */
export function renewClaimWhileHeld(state: StateAdapter, claim: Lock, ttlMs: number): void {
  const started = Date.now();
  const timer = setInterval(() => {
    if (Date.now() - started >= RESUME_CLAIM_MAX_HOLD_MS) {
      stopClaimRenewal(claim);
      return;
    }
    state.extendLock(claim, ttlMs).then(
      (held) => {
        if (!held) stopClaimRenewal(claim);
      },
      () => undefined,
    );
  }, ttlMs / RENEWALS_PER_TTL);
  timer.unref?.();
  renewals.set(claim, timer);
}

export function stopClaimRenewal(claim: Lock): void {
  const timer = renewals.get(claim);
  if (timer !== undefined) clearInterval(timer);
  renewals.delete(claim);
}

/** A lock renewed while held (see `renewClaimWhileHeld`); null while someone else holds it. */
export async function acquireRenewedLock(
  state: StateAdapter,
  lockId: string,
  ttlMs: number,
): Promise<Lock | null> {
  const lock = await state.acquireLock(lockId, ttlMs);
  if (lock) renewClaimWhileHeld(state, lock, ttlMs);
  return lock;
}
