import { AsyncLocalStorage } from "node:async_hooks";

/**
 * Lets a webhook route wait until the handler has made the mention durable before it answers
 * the platform. The handler runs inside the Chat SDK's deferred task; AsyncLocalStorage carries
 * this request's context into it, so `markAccepted()` reaches the right route invocation.
 */
export interface Acknowledgement {
  accepted: Promise<"accepted">;
  accept(): void;
}

const current = new AsyncLocalStorage<Acknowledgement>();

export function createAcknowledgement(): Acknowledgement {
  let accept: () => void = () => {};
  const accepted = new Promise<"accepted">((resolve) => {
    accept = () => resolve("accepted");
  });
  return { accepted, accept };
}

export function runAcknowledged<T>(ack: Acknowledgement, work: () => T): T {
  return current.run(ack, work);
}

/** Called by the mention handler once the request is stored. */
export function markAccepted(): void {
  current.getStore()?.accept();
}
