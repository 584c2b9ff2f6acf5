import { CodedError } from "@baton/core";
import type { Cluster, Redis } from "ioredis";

export type RedisLikeClient = Redis | Cluster;

/** The client did not become ready in time. */
export class RedisNotReadyError extends CodedError<"REDIS_NOT_READY"> {
  constructor(status: string, waitedMs: number, cause?: unknown) {
    const reason = cause instanceof Error ? `: ${cause.message}` : "";
    super(
      "REDIS_NOT_READY",
      `redis client not ready after ${waitedMs} ms (status "${status}")${reason}`,
      { cause },
    );
  }
}

/**
 * Resolves once the client is "ready"; rejects on its next connection error, when it ends, or
 * after `timeoutMs`. Nothing is cached: every call looks at the client afresh, so a later call
 * succeeds once Redis is back (unlike a memoised connect promise).
 */
export function waitForReady(client: RedisLikeClient, timeoutMs: number): Promise<void> {
  if (client.status === "ready") return Promise.resolve();
  if (client.status === "end") {
    return Promise.reject(new RedisNotReadyError(client.status, 0));
  }
  if (client.status === "wait") {
    // lazyConnect clients start here; the outcome is observed through the events below.
    client.connect().catch(() => {});
  }
  const startedAt = Date.now();
  return new Promise<void>((resolve, reject) => {
    const cleanup = () => {
      clearTimeout(timer);
      client.off("ready", onReady);
      client.off("error", onError);
      client.off("end", onEnd);
    };
    const fail = (cause?: unknown) => {
      cleanup();
      reject(new RedisNotReadyError(client.status, Date.now() - startedAt, cause));
    };
    const onReady = () => {
      cleanup();
      resolve();
    };
    const onError = (error: unknown) => fail(error);
    const onEnd = () => fail();
    const timer = setTimeout(() => fail(), timeoutMs);
    client.on("ready", onReady);
    client.on("error", onError);
    client.on("end", onEnd);
  });
}
