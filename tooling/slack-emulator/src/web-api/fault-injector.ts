import { SlackEmulatorError } from "../errors";
import type { FaultSpec } from "../types";

/** Queued failures for Web API methods ("*" matches any method), consumed in order. */

export interface FaultResponse {
  status: number;
  headers: Record<string, string>;
  body: { ok: false; error: string };
  delayMs: number;
  takesEffect: boolean;
}

interface ActiveFault {
  spec: FaultSpec;
  remaining: number;
}

export type FaultInjector = ReturnType<typeof createFaultInjector>;

export function createFaultInjector() {
  const queues = new Map<string, ActiveFault[]>();

  function validate(method: string, spec: FaultSpec): void {
    const valid =
      method.length > 0 &&
      (spec.times === Number.POSITIVE_INFINITY ||
        (Number.isInteger(spec.times) && spec.times > 0)) &&
      (spec.status !== undefined || spec.slackError !== undefined || spec.delayMs !== undefined);
    if (!valid) {
      throw new SlackEmulatorError(
        "INVALID_OPTIONS",
        `invalid fault for ${method}: needs times >= 1 and a status, slackError or delayMs`,
      );
    }
  }

  function toResponse(spec: FaultSpec): FaultResponse {
    const status = spec.status ?? 200;
    const error =
      spec.slackError ?? (status === 429 ? "ratelimited" : status >= 500 ? "fatal_error" : "");
    const headers: Record<string, string> = {};
    if (status === 429) headers["retry-after"] = String(spec.retryAfterSeconds ?? 1);
    return {
      status,
      headers,
      body: { ok: false, error },
      delayMs: spec.delayMs ?? 0,
      takesEffect: spec.takesEffect ?? false,
    };
  }

  return {
    inject(method: string, spec: FaultSpec): void {
      validate(method, spec);
      const queue = queues.get(method) ?? [];
      queue.push({ spec: { ...spec }, remaining: spec.times });
      queues.set(method, queue);
    },

    /** The next fault for this call, if any; an error of "" means "delay only". */
    take(method: string): FaultResponse | undefined {
      const queue = queues.get(method)?.length ? queues.get(method) : queues.get("*");
      const active = queue?.[0];
      if (!queue || !active) return undefined;
      active.remaining -= 1;
      if (active.remaining <= 0) queue.shift();
      return toResponse(active.spec);
    },

    clear(): void {
      queues.clear();
    },

    pendingCount(): number {
      let total = 0;
      for (const queue of queues.values()) {
        for (const fault of queue) total += fault.remaining;
      }
      return total;
    },
  };
}
