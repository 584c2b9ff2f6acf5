/**
 * Injected failures of the agent's own dispatch endpoint, for Baton's retry tests: the next
 * `times` dispatches are answered with the status (and `Retry-After`) instead of being handled.
 */
import { InvalidOptionsError } from "./errors";

export interface DispatchFault {
  status: 429 | 503 | 500;
  /** Sent as `Retry-After` (delta seconds). */
  retryAfterSeconds?: number;
  /** How many dispatches in a row get this answer. */
  times: number;
}

export interface FaultQueue {
  /** Queued after any fault still pending. */
  inject(fault: DispatchFault): void;
  /** Consumes one dispatch's worth of the oldest pending fault. */
  take(): DispatchFault | undefined;
  pending(): number;
  /** Drops every pending fault (the agent recovers at once); returns how many answers it dropped. */
  clear(): number;
}

export function createFaultQueue(): FaultQueue {
  const queue: { fault: DispatchFault; left: number }[] = [];
  const pending = () => queue.reduce((sum, entry) => sum + entry.left, 0);
  return {
    inject(fault) {
      if (![429, 503, 500].includes(fault.status)) {
        throw new InvalidOptionsError("fault.status must be 429, 503 or 500");
      }
      if (!Number.isInteger(fault.times) || fault.times < 1) {
        throw new InvalidOptionsError("fault.times must be an integer >= 1");
      }
      const retryAfter = fault.retryAfterSeconds;
      if (retryAfter !== undefined && (!Number.isInteger(retryAfter) || retryAfter < 0)) {
        throw new InvalidOptionsError("fault.retryAfterSeconds must be an integer >= 0");
      }
      queue.push({ fault: { ...fault }, left: fault.times });
    },
    take() {
      const head = queue[0];
      if (!head) return undefined;
      head.left -= 1;
      if (head.left === 0) queue.shift();
      return head.fault;
    },
    pending,
    clear() {
      const dropped = pending();
      queue.length = 0;
      return dropped;
    },
  };
}

/** The answer body and headers for a fault, in the protocol's refusal shape. */
export function faultResponse(fault: DispatchFault): {
  code: string;
  message: string;
  headers: Record<string, string>;
} {
  const headers: Record<string, string> =
    fault.retryAfterSeconds === undefined ? {} : { "retry-after": String(fault.retryAfterSeconds) };
  return fault.status === 500
    ? { code: "internal_error", message: "Injected fault: internal error", headers }
    : { code: "overloaded", message: "Injected fault: overloaded, try again later", headers };
}
