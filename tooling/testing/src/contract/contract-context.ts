import type { Lock, Message, QueueEntry, StateAdapter } from "chat";
import { it } from "vitest";
import type { ContractDeviation } from "./deviations";
import { CASE_TIMEOUT_MS } from "./timing";

/** What every group of contract cases gets from describeStateAdapterContract. */
export interface ContractContext {
  /** A fresh connected adapter from the target; disconnected after the case. */
  open(): Promise<StateAdapter>;
  /** Whether the target declared this deviation. */
  has(deviation: ContractDeviation): boolean;
  /**
   * Registers a case. With `deviation`, the title says whether the reference or the deviating
   * behaviour is asserted; the body branches on `has(deviation)`.
   */
  test(title: string, body: () => Promise<void>, deviation?: ContractDeviation): void;
}

export function createContractContext(
  open: () => Promise<StateAdapter>,
  deviations: ReadonlySet<ContractDeviation>,
): ContractContext {
  return {
    open,
    has: (deviation) => deviations.has(deviation),
    test(title, body, deviation) {
      const suffix =
        deviation === undefined
          ? ""
          : deviations.has(deviation)
            ? ` [asserts deviation: ${deviation}]`
            : ` [reference; deviation would be: ${deviation}]`;
      it(`${title}${suffix}`, body, CASE_TIMEOUT_MS);
    },
  };
}

/**
 * A queue entry for tests. The message is a plain JSON object (adapters store what they are given;
 * the Chat SDK rehydrates), cast because QueueEntry wants a Message.
 */
export function queueEntry(n: number, expiresAt = Date.now() + 60_000): QueueEntry {
  const message = { id: `msg-${n}`, text: `message ${n}`, threadId: "slack:C1:1700000000.000100" };
  return { enqueuedAt: Date.now(), expiresAt, message: message as unknown as Message };
}

export function messageId(entry: QueueEntry | null): string | undefined {
  return (entry?.message as { id?: string } | undefined)?.id;
}

/** A lock for the same thread with a token nobody was given. */
export function forgedLock(lock: Lock): Lock {
  return { ...lock, token: `${lock.token}-forged` };
}
