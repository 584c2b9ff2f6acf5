import { StateUnavailableError } from "@baton/core";
import type { RedisLikeClient } from "./wait-for-ready";

export type RedisHealth =
  | { ok: true; latencyMs: number }
  | { ok: false; latencyMs: number; error: StateUnavailableError };

/**
 * One PING round trip, for a health or readiness route. Never throws; as bounded as every other
 * call (immediate failure while disconnected, the command timeout while stalled).
 */
export async function pingRedis(
  client: RedisLikeClient,
  now: () => number = Date.now,
): Promise<RedisHealth> {
  const startedAt = now();
  try {
    await client.ping();
    return { ok: true, latencyMs: now() - startedAt };
  } catch (cause) {
    return {
      ok: false,
      latencyMs: now() - startedAt,
      error: new StateUnavailableError("redis", "ping", cause),
    };
  }
}
