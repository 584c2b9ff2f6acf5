/**
 * The callbacks of one execution, delivered one at a time in the order they were created, so a
 * progress never lands after the terminal callback. Numbers them, clamps them to the protocol's
 * limits, and goes silent for good once Baton answers 410 or the terminal callback is queued.
 */
import {
  type Attachment,
  type Callback,
  type CallbackSigner,
  type CallbackTarget,
  type CallbackType,
  callbackWebhookId,
  createCallbackSigner,
  MAX_ANSWER_TEXT_BYTES,
  MAX_CANCEL_REASON_BYTES,
  MAX_ERROR_MESSAGE_BYTES,
  MAX_PROGRESS_MESSAGE_BYTES,
  MAX_TEXT_DELTA_BYTES,
  type Plan,
  PROTOCOL_VERSION,
  serializeCallback,
  utf8ByteLength,
  WireCodeSchema,
} from "@baton/agent-protocol";
import { type DeliveryDeps, type DeliveryOutcome, deliverCallback } from "./deliver-callback";
import type { ExecutionFailure } from "./errors";
import { truncateUtf8 } from "./text";

export type TerminalInput =
  | { type: "completed"; text: string; attachments?: Attachment[] }
  | { type: "failed"; error: ExecutionFailure }
  | { type: "cancelled"; reason?: string };

export interface DeliveryRecord {
  botRequestId: string;
  executionId: string;
  type: CallbackType;
  sequence: number;
  webhookId: string;
  outcome: DeliveryOutcome;
}

export interface CallbackOutboxOptions {
  target: CallbackTarget;
  botRequestId: string;
  agentSessionId: string;
  executionId: string;
  deadlineMs: number;
  deps: DeliveryDeps;
  /** Baton answered 410: the caller stops the work. */
  onGone: () => void;
  onDelivery: (record: DeliveryRecord) => void;
}

/** A richer progress: any of a status line, the whole plan, the next piece of the answer. */
export interface ProgressUpdate {
  message?: string;
  step?: { step: number; totalSteps: number };
  plan?: Plan;
  textDelta?: string;
}

export interface CallbackOutbox {
  progress(message: string, step?: { step: number; totalSteps: number }): void;
  /** Queues a progress with a plan and/or a text delta; empty updates are dropped. */
  update(fields: ProgressUpdate): void;
  /** Queues the one terminal callback; later calls (and progress) are ignored. */
  terminal(input: TerminalInput): void;
  /** Settles once everything queued so far has been delivered or given up on. */
  drained(): Promise<void>;
  /** Abandons queued and retrying deliveries (shutdown). */
  close(): void;
}

const TRUNCATED = "\n\n…(truncated)";

export function createCallbackOutbox(options: CallbackOutboxOptions): CallbackOutbox {
  // Copied out so no closure keeps `options.target` (and its secret) alive.
  const { deps, botRequestId, executionId, agentSessionId, deadlineMs, onGone, onDelivery } =
    options;
  const url = options.target.url;
  const stop = new AbortController();
  // Held only while callbacks may still be sent: the secret is forgotten when the request ends.
  let signer: CallbackSigner | undefined = createCallbackSigner({
    signingSecret: options.target.signingSecret,
    now: deps.now,
  });
  let sequence = 0;
  let sealed = false;
  let gone = false;
  let tail: Promise<void> = Promise.resolve();

  function envelope(): Envelope {
    sequence += 1;
    return {
      protocolVersion: PROTOCOL_VERSION as 1,
      botRequestId,
      agentSessionId,
      executionId,
      sequence,
      sentAt: new Date(deps.now()).toISOString(),
    };
  }

  function enqueue(callback: Callback): void {
    let body: string;
    try {
      body = serializeCallback(callback);
    } catch (error) {
      // Only an oversized answer (JSON escaping can triple it) gets here after clamping.
      deps.logger.error("callback could not be serialized", {
        botRequestId,
        executionId,
        type: callback.type,
        error: error instanceof Error ? error.message : String(error),
      });
      if (callback.type === "completed") {
        const { type: _type, text: _text, attachments: _attachments, ...rest } = callback;
        enqueue(
          failedCallback(rest, {
            code: "answer_too_large",
            message: "The answer was too large to send.",
          }),
        );
      }
      return;
    }
    const webhookId = callbackWebhookId(callback);
    const terminal = callback.type !== "progress";
    tail = tail.then(async () => {
      if (gone || !signer) return;
      const outcome = await deliverCallback(
        {
          url,
          signer,
          webhookId,
          body,
          type: callback.type,
          sequence: callback.sequence,
          botRequestId,
          executionId,
          maxAttempts: terminal ? deps.policy.maxAttempts : deps.policy.progressMaxAttempts,
          notAfterMs: deadlineMs,
        },
        deps,
        stop.signal,
      );
      onDelivery({
        botRequestId,
        executionId,
        type: callback.type,
        sequence: callback.sequence,
        webhookId,
        outcome,
      });
      if (outcome.kind === "gone") {
        gone = true;
        signer = undefined;
        onGone();
      }
      if (terminal) signer = undefined;
    });
    // A throwing hook must not break the chain for the callbacks behind this one.
    tail = tail.catch((error: unknown) => {
      deps.logger.error("callback delivery crashed", {
        botRequestId,
        executionId,
        error: error instanceof Error ? error.message : String(error),
      });
    });
  }

  return {
    progress(message, step) {
      if (sealed || gone) return;
      const text = truncateUtf8(message, MAX_PROGRESS_MESSAGE_BYTES, "…");
      if (text.trim() === "") return;
      enqueue({ ...envelope(), type: "progress", message: text, ...step });
    },
    update(fields) {
      if (sealed || gone) return;
      const message = fields.message?.trim()
        ? truncateUtf8(fields.message, MAX_PROGRESS_MESSAGE_BYTES, "…")
        : undefined;
      // A delta is never truncated silently (the answer would lose text): the executor splits it.
      const textDelta = fields.textDelta === "" ? undefined : fields.textDelta;
      if (textDelta !== undefined && utf8ByteLength(textDelta) > MAX_TEXT_DELTA_BYTES) {
        throw new RangeError(`textDelta exceeds ${MAX_TEXT_DELTA_BYTES} bytes: split it`);
      }
      if (message === undefined && fields.plan === undefined && textDelta === undefined) return;
      enqueue({
        ...envelope(),
        type: "progress",
        ...(message !== undefined ? { message, ...fields.step } : {}),
        ...(fields.plan ? { plan: fields.plan } : {}),
        ...(textDelta !== undefined ? { textDelta } : {}),
      });
    },
    terminal(input) {
      if (sealed) return;
      sealed = true;
      if (gone) return;
      enqueue(terminalCallback(envelope(), input));
    },
    drained() {
      return tail;
    },
    close() {
      sealed = true;
      signer = undefined;
      stop.abort();
    },
  };
}

type Envelope = Omit<Extract<Callback, { type: "progress" }>, "type" | "message">;

function terminalCallback(envelope: Envelope, input: TerminalInput): Callback {
  switch (input.type) {
    case "completed": {
      if (input.text.trim() === "") {
        return failedCallback(envelope, {
          code: "empty_answer",
          message: "The agent finished without an answer.",
          retryable: true,
        });
      }
      return {
        ...envelope,
        type: "completed",
        text: truncateUtf8(input.text, MAX_ANSWER_TEXT_BYTES, TRUNCATED),
        ...(input.attachments?.length ? { attachments: input.attachments } : {}),
      };
    }
    case "failed":
      return failedCallback(envelope, input.error);
    case "cancelled":
      return input.reason === undefined
        ? { ...envelope, type: "cancelled" }
        : {
            ...envelope,
            type: "cancelled",
            reason: truncateUtf8(input.reason, MAX_CANCEL_REASON_BYTES, "…"),
          };
  }
}

function failedCallback(envelope: Envelope, failure: ExecutionFailure): Callback {
  const code = WireCodeSchema.safeParse(failure.code).success ? failure.code : "execution_failed";
  const message =
    failure.message.trim() === ""
      ? "The agent failed."
      : truncateUtf8(failure.message, MAX_ERROR_MESSAGE_BYTES, "…");
  return {
    ...envelope,
    type: "failed",
    error:
      failure.retryable === undefined
        ? { code, message }
        : { code, message, retryable: failure.retryable },
  };
}
