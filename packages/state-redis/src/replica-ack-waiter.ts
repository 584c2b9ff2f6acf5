import type Redis from "ioredis";
import { ReplicaAcksMissingError, type ReplicaAcksOptions } from "./replica-acks";

/** Identifies the TCP connection a write went out on: ioredis makes a new stream per connection. */
export type ConnectionMark = unknown;

export interface ReplicaAckWaiter {
  /** Call right before sending a write: the connection it goes out on. */
  mark(): ConnectionMark;
  /**
   * Resolves once enough replicas confirmed every write sent before this call (among them the
   * one made on `mark`); rejects with ReplicaAcksMissingError or the WAIT command's own error.
   */
  confirm(mark: ConnectionMark): Promise<void>;
}

interface Waiting {
  mark: ConnectionMark;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Issues `WAIT` on the same client (one connection) that sent the writes.
 *
 * WAIT counts the replication offset of the connection's latest write, not of one key: under
 * concurrency a WAIT also covers every earlier write on the shared connection, other callers'
 * too. That only makes each guarantee stronger, and it allows group confirmation: at most one
 * WAIT is outstanding, and writes that complete meanwhile share the next one. This matters
 * because WAIT blocks the connection on the server: with a replica gone, one WAIT per write would
 * queue them (N writes = N x timeout) and stall every read behind them. Grouped, a write waits at
 * most two WAIT timeouts and a read at most one.
 *
 * A WAIT on a new connection (after a reconnect, or a Sentinel failover to a new primary) knows
 * nothing of writes sent on the old one and would confirm at once, so a write whose connection
 * changed before WAIT answered is reported as unconfirmed.
 */
export function createReplicaAckWaiter(
  client: Redis,
  options: ReplicaAcksOptions,
): ReplicaAckWaiter {
  let inFlight = false;
  let queued: Waiting[] = [];

  const settle = (batch: Waiting[], confirmed: number) => {
    for (const waiting of batch) {
      if (client.stream !== waiting.mark) {
        waiting.reject(new ReplicaAcksMissingError(options.replicas, undefined, options.timeoutMs));
      } else if (confirmed < options.replicas) {
        waiting.reject(new ReplicaAcksMissingError(options.replicas, confirmed, options.timeoutMs));
      } else {
        waiting.resolve();
      }
    }
  };

  const flush = () => {
    if (inFlight || queued.length === 0) return;
    const batch = queued;
    queued = [];
    inFlight = true;
    client
      .wait(options.replicas, options.timeoutMs)
      .then(
        (confirmed) => settle(batch, confirmed),
        (error: unknown) => {
          for (const waiting of batch) waiting.reject(error);
        },
      )
      .finally(() => {
        inFlight = false;
        flush();
      });
  };

  return {
    mark: () => client.stream,
    confirm(mark) {
      return new Promise<void>((resolve, reject) => {
        queued.push({ mark, resolve, reject });
        flush();
      });
    },
  };
}
