import { randomFillSync } from "node:crypto";

/** 128 random bits per token: as unguessable as any lock token must be. */
const TOKEN_BYTES = 16;
/**
 * Tokens drawn from one fill of the pool. A call into the system's random source costs about as
 * much as a whole batch's encoding (measured in the callback profile: two locks per callback),
 * so one call serves this many locks; node's own randomUUID pools its entropy the same way.
 */
const TOKENS_PER_FILL = 256;

const pool = Buffer.alloc(TOKEN_BYTES * TOKENS_PER_FILL);
let offset = pool.length;

/** A fresh lock token, in the Chat SDK ioredis adapter's `ioredis_` form. */
export function newLockToken(): string {
  if (offset === pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const token = pool.toString("base64url", offset, offset + TOKEN_BYTES);
  offset += TOKEN_BYTES;
  return `ioredis_${token}`;
}
