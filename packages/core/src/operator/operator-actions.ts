import { deliverClaimed } from "../callback/deliver-claimed";
import { acquireDispatchLock, releaseDispatchLock } from "../dispatch/dispatch-lock";
import { dispatchRequest } from "../dispatch/dispatch-request";
import { handOnAfterFinish } from "../dispatch/hand-on";
import { redispatchStalled } from "../dispatch/stalled-dispatch";
import { postNotice } from "../platform/platform-calls";
import { classifyPostFailure } from "../platform/post-failure";
import { finishRequest } from "../request/lifecycle";
import { abandonResume, beginResume, type ClaimedRequest } from "../request/resume-claim";
import type { OperatorAction, OperatorAudit } from "./operator-audit";
import type { OperatorDeps } from "./request-overview";

/** What the user reads in the thread when an operator ends their request. */
export const OPERATOR_FINALISED_NOTICE =
  "An operator ended this request: it was stuck. Please mention me again if you still need it.";
export const OPERATOR_FINALISED_CODE = "operator_finalised";

/** `done`: the action ran (its code says how it ended); `refused`: nothing was changed. */
export type OperatorActionResult =
  | { kind: "done"; code: string }
  | { kind: "refused"; code: string };

export interface OperatorActionInput {
  action: OperatorAction;
  botRequestId: string;
  /** Who acted, as the console knows them (never the token). */
  actor: string;
}

export interface OperatorActionDeps extends OperatorDeps {
  audit: OperatorAudit;
}

/**
 * Runs one operator action through the lifecycle functions every other path uses (claim,
 * deliver, finish, dispatch), so an action can never do what the request's own life would not:
 * a claimed request only, one finaliser, one reply. Every action, refused ones too, is written to
 * the audit log and to the request's timeline.
 */
export async function runOperatorAction(
  deps: OperatorActionDeps,
  input: OperatorActionInput,
): Promise<OperatorActionResult> {
  const result = await perform(deps, input);
  const at = deps.now();
  const code = `${input.action}:${result.code}`;
  await Promise.all([
    deps.audit.record({
      at,
      actor: input.actor,
      action: input.action,
      botRequestId: input.botRequestId,
      result: `${result.kind}:${result.code}`,
    }),
    deps.events.append(input.botRequestId, { at, kind: "operator", code, actor: input.actor }),
  ]);
  return result;
}

function perform(deps: OperatorDeps, input: OperatorActionInput): Promise<OperatorActionResult> {
  switch (input.action) {
    case "retry-delivery":
      return withClaim(deps, input.botRequestId, (start) => retryDelivery(deps, start));
    case "finalise":
      return withClaim(deps, input.botRequestId, (start) => finalise(deps, start));
    case "redispatch":
      return redispatch(deps, input.botRequestId);
  }
}

async function withClaim(
  deps: OperatorDeps,
  botRequestId: string,
  work: (start: ClaimedRequest) => Promise<OperatorActionResult>,
): Promise<OperatorActionResult> {
  const start = await beginResume(deps, botRequestId);
  if (start.kind === "claimed") return work(start);
  return { kind: "refused", code: start.kind };
}

/** Posts the stored reply from where it stopped, as the sweeper would, and finishes the request. */
async function retryDelivery(
  deps: OperatorDeps,
  start: ClaimedRequest,
): Promise<OperatorActionResult> {
  if (!start.reply) {
    await abandonResume(deps, start);
    return { kind: "refused", code: "no-stored-reply" };
  }
  const delivery = await deliverClaimed(deps, start, start.reply);
  if (delivery.kind !== "retry-later" && delivery.finished) {
    await handOnAfterFinish(deps, delivery.finished);
  }
  return {
    kind: "done",
    code: delivery.kind === "retry-later" ? `retry-later:${delivery.code}` : delivery.kind,
  };
}

/**
 * Tells the user in the thread, then finalises `error`/`operator_finalised` and hands the thread
 * on. A platform that fails for now gives the claim back (nothing changed; try again); one that
 * refuses for good still lets the request end, and says the user was not told.
 */
async function finalise(deps: OperatorDeps, start: ClaimedRequest): Promise<OperatorActionResult> {
  let told = true;
  try {
    await postNotice(deps.chat.thread(start.record.threadId), OPERATOR_FINALISED_NOTICE, {
      logger: deps.logger,
      context: { botRequestId: start.record.id },
    });
  } catch (error) {
    const failure = classifyPostFailure(error);
    if (failure.kind === "transient") {
      await abandonResume(deps, start);
      return { kind: "refused", code: `platform-unavailable:${failure.code}` };
    }
    deps.logger.error("an operator finalised a request but the user could not be told", {
      botRequestId: start.record.id,
      code: failure.code,
    });
    told = false;
  }
  const finished = await finishRequest(deps, start, {
    status: "error",
    error: { code: OPERATOR_FINALISED_CODE, message: "an operator ended the request" },
  });
  if (finished.kind !== "finalized") return { kind: "refused", code: "already-final" };
  await handOnAfterFinish(deps, finished.record);
  return { kind: "done", code: told ? "finalised-user-told" : "finalised-user-not-told" };
}

/**
 * A running request whose agent lost it is dispatched again under its dispatch lock (the agent
 * dedupes per botRequestId, so one it still runs is not started twice); one never handed to the
 * agent goes the sweeper's stalled-dispatch way, through its thread's queue.
 */
async function redispatch(deps: OperatorDeps, botRequestId: string): Promise<OperatorActionResult> {
  const load = await deps.requests.get(botRequestId);
  if (load.kind !== "found") return { kind: "refused", code: load.kind };
  const { record } = load;
  if (record.finalizedAt !== undefined) return { kind: "refused", code: "already-final" };
  if (record.status !== "running") {
    const stalled = await redispatchStalled(deps, record);
    const code = stalled.kind === "recovered" ? stalled.outcome.kind : stalled.kind;
    return { kind: stalled.kind === "recovered" ? "done" : "refused", code };
  }
  const lock = await acquireDispatchLock(deps.state, record.id);
  if (!lock) return { kind: "refused", code: "busy" };
  try {
    const outcome = await dispatchRequest(deps, record, { waited: true });
    return { kind: "done", code: outcome.kind };
  } finally {
    await releaseDispatchLock(deps.state, lock);
  }
}
