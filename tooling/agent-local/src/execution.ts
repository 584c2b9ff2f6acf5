/**
 * One accepted dispatch, from the 202 to its terminal callback: runs the executor, forwards its
 * progress, turns its outcome into exactly one terminal callback, and stops it on cancel, on 410
 * from Baton, at the deadline, or at shutdown. Only a cancel still produces a callback
 * (`cancelled`); after 410, the deadline or shutdown Baton would not take one.
 */
import { type CancelState, type DispatchRequest, fileAccessHeader } from "@baton/agent-protocol";
import { createCallbackOutbox, type DeliveryRecord, type TerminalInput } from "./callback-outbox";
import type { DeliveryDeps } from "./deliver-callback";
import { readDispatchFile } from "./dispatch-files";
import { ExecutionError, type ExecutionFailure } from "./errors";
import type { Executor, ExecutorRequest } from "./executor";
import type { Session, SessionTurn } from "./session-store";
import { untilAborted } from "./sleep";

/** setTimeout's ceiling (about 24.8 days); a later deadline is re-armed in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

type StopCause =
  | { kind: "cancel"; reason: string | undefined }
  | { kind: "gone" }
  | { kind: "deadline" }
  | { kind: "shutdown" };

export interface ExecutionOptions {
  request: DispatchRequest;
  executionId: string;
  session: Session;
  turn: SessionTurn;
  executor: Executor;
  deps: DeliveryDeps;
  onDelivery: (record: DeliveryRecord) => void;
  /** Where the agent serves its own files (attachments of its answers). */
  filesUrl: string;
}

export interface Execution {
  readonly botRequestId: string;
  readonly executionId: string;
  readonly agentSessionId: string;
  /** Stops the work; the terminal callback becomes `cancelled` unless the work had ended. */
  cancel(reason: string | undefined): CancelState;
  /** Stops the work and abandons its deliveries, sending nothing more. */
  shutdown(): void;
  isFinished(): boolean;
  /** Whether `settled` has settled. */
  isSettled(): boolean;
  /** Settles when the work has ended and its callbacks are delivered or given up. */
  readonly settled: Promise<void>;
}

export function startExecution(options: ExecutionOptions): Execution {
  // Closures below use only these copies, so nothing keeps the dispatch's signing secret alive
  // once the outbox has dropped its signer.
  const { executionId, session, turn, deps, executor } = options;
  const { callback, ...executorRequest } = options.request;
  const botRequestId = executorRequest.botRequestId;
  const { logger } = deps;
  const fields = { botRequestId, executionId, agentSessionId: session.id };
  const controller = new AbortController();
  let cause: StopCause | undefined;
  let workEnded = false;

  const stop = (stopCause: StopCause) => {
    if (cause || workEnded) return;
    cause = stopCause;
    controller.abort(new Error(`execution stopped: ${stopCause.kind}`));
  };

  // The file token, derived now: the closures below never hold the signing secret itself.
  const fileAuthorization = fileAccessHeader(callback.signingSecret, botRequestId);
  const deadlineMs = Date.parse(executorRequest.deadline);
  const outbox = createCallbackOutbox({
    target: callback,
    botRequestId,
    agentSessionId: session.id,
    executionId,
    deadlineMs,
    deps,
    onGone: () => stop({ kind: "gone" }),
    onDelivery: options.onDelivery,
  });

  let deadlineTimer: NodeJS.Timeout | undefined;
  const armDeadline = () => {
    const remaining = deadlineMs - deps.now();
    if (remaining <= 0) return stop({ kind: "deadline" });
    deadlineTimer = setTimeout(armDeadline, Math.min(remaining, MAX_TIMER_MS));
  };
  armDeadline();

  let isSettled = false;
  const settled = run(executorRequest).finally(() => {
    isSettled = true;
    clearTimeout(deadlineTimer);
  });

  async function run(request: ExecutorRequest): Promise<void> {
    logger.info("execution started", { ...fields, executor: executor.name, turn: turn.number });
    const work = Promise.resolve().then(() =>
      executor.run(request, {
        signal: controller.signal,
        progress: (message, step) => {
          if (!workEnded && !controller.signal.aborted) outbox.progress(message, step);
        },
        update: (fields) => {
          if (!workEnded && !controller.signal.aborted) outbox.update(fields);
        },
        executionId,
        readFile: (file) =>
          readDispatchFile(deps.fetch, file, fileAuthorization, controller.signal),
        filesUrl: options.filesUrl,
        session: {
          id: session.id,
          turn: turn.number,
          priorTurns: session.turns.slice(0, turn.number - 1),
        },
      }),
    );
    // The executor may settle after we stopped waiting for it; that late result is dropped.
    work.catch(() => {});

    let outcome: TerminalInput | undefined;
    try {
      const result = await Promise.race([work, untilAborted(controller.signal)]);
      outcome = {
        type: "completed",
        text: result.text,
        ...(result.attachments ? { attachments: result.attachments } : {}),
      };
    } catch (error) {
      if (!controller.signal.aborted) {
        outcome = { type: "failed", error: failureOf(error) };
        logger.warn("executor failed", { ...fields, error: describe(error) });
      }
    }
    workEnded = true;
    clearTimeout(deadlineTimer);

    if (outcome) {
      turn.status = outcome.type === "completed" ? "completed" : "failed";
      if (outcome.type === "completed") turn.answer = outcome.text;
      logger.info("execution finished", { ...fields, outcome: outcome.type });
      outbox.terminal(outcome);
    } else if (cause?.kind === "cancel") {
      turn.status = "cancelled";
      logger.info("execution cancelled", fields);
      outbox.terminal(
        cause.reason === undefined
          ? { type: "cancelled" }
          : { type: "cancelled", reason: cause.reason },
      );
    } else {
      turn.status = "abandoned";
      logger.warn("execution abandoned", { ...fields, cause: cause?.kind });
      if (cause?.kind === "shutdown") outbox.close();
    }
    await outbox.drained();
  }

  return {
    botRequestId,
    executionId,
    agentSessionId: session.id,
    cancel(reason) {
      if (workEnded || (cause && cause.kind !== "cancel")) return "already_finished";
      stop({ kind: "cancel", reason });
      return "cancelling";
    },
    shutdown() {
      stop({ kind: "shutdown" });
      outbox.close();
    },
    isFinished: () => workEnded,
    isSettled: () => isSettled,
    settled,
  };
}

function failureOf(error: unknown): ExecutionFailure {
  if (error instanceof ExecutionError) return error.failure;
  return { code: "internal_error", message: "The agent ran into an unexpected error." };
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? ` (cause: ${error.cause.message})` : "";
  return `${error.message}${cause}`;
}
