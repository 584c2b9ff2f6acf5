import { clearDeliveryMarks, mentionEventOf } from "@baton/core";
import type { StateAdapter } from "chat";
import { probeState } from "../state/store-probe";
import { createAcknowledgement, runAcknowledged } from "./acknowledgement";
import { storeUnavailable } from "./error-response";

export type WebhookHandler = (
  request: Request,
  options: { waitUntil(task: Promise<unknown>): void; propagateHandlerErrors: boolean },
) => Promise<Response>;

export interface AcknowledgedWebhookOptions {
  request: Request;
  platform: string;
  handle: WebhookHandler;
  state: StateAdapter;
  /** The platform's signature check, run before anything touches the store. */
  verifySignature(body: string, headers: Headers): Promise<boolean>;
  /** Whether a bot request exists for this platform message. */
  isMentionStored(messageId: string): Promise<boolean>;
  /** Runs work after the response (Next's `after`). */
  defer(task: Promise<unknown>): void;
}

/** Slack wants an answer within 3 s; past this the store counts as unavailable. */
const ACCEPT_WAIT_MS = 2_500;

/**
 * Answers a platform webhook 200 only once a mention it carries is stored. The signature is
 * checked first (a forged request never reaches the store: 401), then the store is probed (a
 * failure throws StateUnavailableError, which the route's error funnel answers with 503 in well
 * under a second, having written nothing); then the Chat SDK handles the request while the
 * route waits for the mention handler's "accepted" signal. If storing fails, the SDK's delivery
 * marks are removed and 503 makes the platform retry.
 */
export async function acknowledgedWebhook(options: AcknowledgedWebhookOptions): Promise<Response> {
  const body = await options.request.text();
  if (!(await options.verifySignature(body, options.request.headers))) {
    return new Response("Invalid signature", { status: 401 });
  }
  await probeState(options.state);
  const mention = mentionEventOf(options.platform, body, options.request.headers);
  const first = await handleOnce(options, body);
  if (first.kind === "failed") {
    // Best effort: with the store down this fails too, and the retry path below cleans up later.
    if (mention) await clearDeliveryMarks(options.state, mention).catch(() => undefined);
    return storeUnavailable();
  }
  // A retry the SDK skipped as already delivered, for a mention Baton never stored (its first
  // attempt failed and the marks could not be removed then): remove them now and handle it.
  if (
    first.kind === "done" &&
    mention?.retried &&
    !(await options.isMentionStored(mention.messageId))
  ) {
    await clearDeliveryMarks(options.state, mention);
    const second = await handleOnce(options, body);
    return second.kind === "failed" ? storeUnavailable() : second.response;
  }
  return first.response;
}

type Attempt =
  | { kind: "accepted" | "done"; response: Response }
  | { kind: "failed"; error: unknown };

async function handleOnce(options: AcknowledgedWebhookOptions, body: string): Promise<Attempt> {
  const { request } = options;
  const ack = createAcknowledgement();
  const tasks: Promise<unknown>[] = [];
  const response = await runAcknowledged(ack, () =>
    options.handle(new Request(request.url, { method: "POST", headers: request.headers, body }), {
      waitUntil: (task) => void tasks.push(task),
      propagateHandlerErrors: true,
    }),
  );
  const settled = Promise.allSettled(tasks).then((results) => {
    const rejected = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    return rejected
      ? ({ kind: "failed", error: rejected.reason } as const)
      : ({ kind: "done" } as const);
  });
  const timeout = new Promise<{ kind: "timeout" }>((resolve) =>
    setTimeout(() => resolve({ kind: "timeout" }), ACCEPT_WAIT_MS).unref(),
  );
  const outcome = await Promise.race([
    ack.accepted.then(() => ({ kind: "accepted" }) as const),
    settled,
    timeout,
  ]);
  // Whatever was answered, the handlers finish (dispatch runs after the response). Their errors
  // were reported by the mention handler itself; here they only must not become unhandled.
  for (const task of tasks) options.defer(task.catch(() => undefined));
  if (outcome.kind === "failed") return outcome;
  if (outcome.kind === "timeout") return { kind: "failed", error: new Error("accept timed out") };
  return { kind: outcome.kind, response };
}
