import { STATE_METHODS } from "@baton/core";
import type { StateAdapter } from "chat";
import type { BatonMetrics } from "./baton-metrics";

/**
 * The state adapter as the app hands it on, with every store call timed and every failure
 * counted by operation and error code (`STATE_UNAVAILABLE`, `STATE_VALUE_CORRUPT`, …). Wraps at
 * the composition root, so neither core nor the backends know about metrics.
 */
export function measuredState(inner: StateAdapter, metrics: BatonMetrics): StateAdapter {
  const measured = {} as Record<string, unknown>;
  for (const method of STATE_METHODS) {
    const original = inner[method] as (...args: unknown[]) => Promise<unknown>;
    const operation = { operation: method };
    measured[method] = async (...args: unknown[]) => {
      const started = performance.now();
      try {
        return await original.apply(inner, args);
      } catch (error) {
        metrics.storeCallErrors.add(1, { ...operation, code: errorCode(error) });
        throw error;
      } finally {
        metrics.storeCallDuration.record(performance.now() - started, operation);
      }
    };
  }
  return measured as unknown as StateAdapter;
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : "unknown";
}
