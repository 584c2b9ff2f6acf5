import type { StateAdapter } from "chat";
import {
  BOT_REQUEST_RECORD_TTL_MS,
  SWEEP_RETRY_BASE_MS,
  SWEEP_RETRY_MAX_MS,
  sweepFailureKey,
} from "../keys";
import { readStored } from "../state/stored-value";

/** What the sweeper remembers about a request it could not settle. */
interface SweepFailure {
  v: 1;
  /** What went wrong, as a short code (never text): a change is reported again. */
  signature: string;
  attempts: number;
}

export interface SweepFailureNote {
  /** True when this failure is new for the request (first, or different from the last one). */
  changed: boolean;
  attempts: number;
  /** When the sweeper looks at the request again. */
  retryAt: number;
}

/**
 * Sole owner of `bot-request-sweep-failure:{id}`. Kept in the store, not in memory, so a failure
 * is reported once whichever instance sweeps and however often it restarts.
 */
export interface SweepFailures {
  /** Whether this sweep already failed on the request (its retry is not due within the sweep). */
  failedInThisSweep(botRequestId: string): boolean;
  note(botRequestId: string, signature: string, now: number): Promise<SweepFailureNote>;
}

/** One per sweep. */
export function createSweepFailures(state: StateAdapter): SweepFailures {
  const failed = new Set<string>();
  return {
    failedInThisSweep: (botRequestId) => failed.has(botRequestId),
    async note(botRequestId, signature, now) {
      failed.add(botRequestId);
      const stored = await readStored<Partial<SweepFailure>>(state, sweepFailureKey(botRequestId));
      const previous = stored.kind === "found" ? stored.value : undefined;
      const same = previous?.signature === signature && typeof previous.attempts === "number";
      const attempts = same ? (previous.attempts as number) + 1 : 1;
      const next: SweepFailure = { v: 1, signature, attempts };
      await state.set(sweepFailureKey(botRequestId), next, BOT_REQUEST_RECORD_TTL_MS);
      return { changed: !same, attempts, retryAt: now + sweepBackoff(attempts) };
    },
  };
}

/** 30 s after the first failure, doubling per attempt, never more than 30 minutes. */
export function sweepBackoff(attempts: number): number {
  return Math.min(SWEEP_RETRY_BASE_MS * 2 ** Math.max(0, attempts - 1), SWEEP_RETRY_MAX_MS);
}
