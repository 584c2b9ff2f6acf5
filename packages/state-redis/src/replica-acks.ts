import { BatonError, CodedError } from "@baton/core";
import type Redis from "ioredis";
import type { RedisLikeClient } from "./wait-for-ready";

/**
 * Replica acknowledgements for writes (Redis `WAIT`).
 *
 * Redis replicates asynchronously: a primary answers OK before any replica has the write. If the
 * primary dies and a lagging replica is promoted, every write it had not received is gone, though
 * the caller was told it succeeded (measured: almost all acknowledged plain SETs lost on such a
 * failover; none with `WAIT 1 50` after each write). `WAIT <replicas> <timeoutMs>` after a write
 * blocks until that many replicas acknowledged the connection's writes, so an OK then means "on
 * two machines"; fewer confirmations within the timeout makes the call fail instead.
 */
export interface ReplicaAcksOptions {
  /** How many replicas must confirm each state-changing call (at least 1). */
  replicas: number;
  /** How long WAIT blocks for them (ms, at least 1); below the client's command timeout. */
  timeoutMs: number;
}

/** One replica: the write survives the loss of the primary (a single failover). */
export const DEFAULT_REPLICA_ACK_REPLICAS = 1;
/**
 * A healthy replica acknowledges in about a network round trip (sub-millisecond on loopback, a
 * few ms across zones). 100 ms tolerates a busy replica, and even two WAITs in a row (see
 * replica-ack-waiter) stay far below the 1 s command timeout and Slack's 3 s budget.
 */
export const DEFAULT_REPLICA_ACK_TIMEOUT_MS = 100;
export const DEFAULT_REPLICA_ACKS: Readonly<ReplicaAcksOptions> = Object.freeze({
  replicas: DEFAULT_REPLICA_ACK_REPLICAS,
  timeoutMs: DEFAULT_REPLICA_ACK_TIMEOUT_MS,
});

/**
 * A write went through on the primary but was not confirmed by enough replicas. Its outcome is
 * unknown, not "not written": the primary has it and a replica may still receive it later. It is
 * the cause of the StateUnavailableError a call rejects with.
 */
export class ReplicaAcksMissingError extends CodedError<"REPLICA_ACKS_MISSING"> {
  readonly required: number;
  /** Replicas that confirmed; undefined when the connection changed before WAIT answered. */
  readonly confirmed: number | undefined;

  constructor(required: number, confirmed: number | undefined, timeoutMs: number) {
    super(
      "REPLICA_ACKS_MISSING",
      confirmed === undefined
        ? "the redis connection changed between the write and WAIT, so no replica confirmation covers the write"
        : `${confirmed} of ${required} required replica(s) confirmed the write within ${timeoutMs} ms`,
    );
    this.required = required;
    this.confirmed = confirmed;
  }
}

/**
 * Checks the options against the client: WAIT 0 would block forever, a WAIT timeout at or above
 * the client's command timeout would be cut off by the client (reported as a timeout rather than
 * as missing replicas), and a Cluster client sends a keyless WAIT to an arbitrary node, not to the
 * connection that took the write.
 */
export function validateReplicaAcks(options: ReplicaAcksOptions, client: RedisLikeClient): Redis {
  const { replicas, timeoutMs } = options;
  if (!Number.isInteger(replicas) || replicas < 1) {
    throw invalid(`replicaAcks.replicas must be an integer >= 1 (got ${replicas})`);
  }
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1) {
    throw invalid(`replicaAcks.timeoutMs must be an integer >= 1 (got ${timeoutMs})`);
  }
  if (client.isCluster) {
    throw invalid("replicaAcks is not supported with a Redis Cluster client");
  }
  const single = client as Redis;
  const commandTimeout = single.options.commandTimeout;
  if (commandTimeout !== undefined && timeoutMs >= commandTimeout) {
    throw invalid(
      `replicaAcks.timeoutMs (${timeoutMs}) must be below the client's command timeout (${commandTimeout})`,
    );
  }
  return single;
}

function invalid(message: string): BatonError<"CONFIG_INVALID"> {
  return new BatonError("CONFIG_INVALID", message);
}
