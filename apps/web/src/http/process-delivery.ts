import type { ReplayOutcome } from "@baton/core";
import { createAcknowledgement, runAcknowledged } from "./acknowledgement";

export type WebhookHandler = (
  request: Request,
  options: { waitUntil(task: Promise<unknown>): void; propagateHandlerErrors: boolean },
) => Promise<Response>;

/**
 * Hands a verified delivery to the platform's SDK and settles once what it carries is stored
 * (the mention handler's "accepted" signal), or once every handler it started has finished
 * (events that store nothing), or failed. Work that goes on after acceptance (the dispatch to
 * the agent) is handed to `defer` and keeps running.
 */
export async function processDelivery(
  handle: WebhookHandler,
  request: Request,
  defer: (task: Promise<unknown>) => void,
): Promise<ReplayOutcome> {
  const ack = createAcknowledgement();
  const tasks: Promise<unknown>[] = [];
  let response: Response;
  try {
    response = await runAcknowledged(ack, () =>
      handle(request, { waitUntil: (task) => void tasks.push(task), propagateHandlerErrors: true }),
    );
  } catch (error) {
    return { kind: "failed", error };
  } finally {
    // Errors of the handlers were reported by the mention handler itself; here they only must
    // not become unhandled rejections.
    for (const task of tasks) defer(task.catch(() => undefined));
  }
  if (!response.ok) {
    return { kind: "failed", error: new Error(`the SDK answered ${response.status}`) };
  }
  const settled = Promise.allSettled(tasks).then((results): ReplayOutcome => {
    const rejected = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    return rejected ? { kind: "failed", error: rejected.reason } : { kind: "processed" };
  });
  return Promise.race([ack.accepted.then((): ReplayOutcome => ({ kind: "processed" })), settled]);
}
