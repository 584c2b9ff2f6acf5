import { PROTOCOL_VERSION } from "@baton/agent-protocol";
import { DEFAULT_AGENT_ID } from "../dispatch/agent-router";
import { handOnAfterFinish } from "../dispatch/hand-on";
import { USER_NOTICES } from "../platform/user-notices";
import { finishRequest } from "../request/lifecycle";
import { beginResume, type ClaimedRequest } from "../request/resume-claim";
import type { MentionDeps } from "./mention-deps";
import { notifyThread } from "./thread-notice";

export const DEFAULT_STOP_WORDS = ["stop", "cancel"] as const;

/**
 * Reactions that stop the thread's running request, as the Chat SDK names them: it normalises
 * platform names, so Slack's `x`/`heavy_multiplication_x` arrive as `x` and `octagonal_sign` as
 * `stop`; names it does not map (`no_entry`) arrive as Slack spells them.
 */
export const DEFAULT_STOP_REACTIONS = ["x", "stop", "no_entry"] as const;

export type StopOutcome = { kind: "stopped"; botRequestId: string } | { kind: "nothing-to-stop" };

/**
 * Stop word, reaction or native stop button: cancel the thread's running request at the agent and
 * finalise it. `quiet`: say nothing when there is nothing to stop (a native stop pressed twice, or
 * after the answer: the platform's own button needs no "nothing is running" reply).
 */
export async function stopActiveRequest(
  deps: MentionDeps,
  threadId: string,
  options: { quiet?: boolean } = {},
): Promise<StopOutcome> {
  const activeId = await deps.queue.active(threadId);
  const start = activeId ? await beginResume(deps, activeId) : undefined;
  if (!activeId || start?.kind !== "claimed") {
    if (!options.quiet) {
      await notifyThread(deps, deps.chat.thread(threadId), USER_NOTICES.nothingToStop);
    }
    return { kind: "nothing-to-stop" };
  }
  await cancelClaimedRequest(deps, start, threadId);
  return { kind: "stopped", botRequestId: activeId };
}

/**
 * Cancels a claimed request at the agent, tells the thread, finalises it `cancelled` and hands
 * the thread on: the one way a stop word, a stop reaction or a Cancel button ends a request.
 */
export async function cancelClaimedRequest(
  deps: MentionDeps,
  start: ClaimedRequest,
  threadId: string,
): Promise<void> {
  const botRequestId = start.record.id;
  // The agent that holds the thread's session runs its request, whatever the table says now.
  const binding = await deps.sessions.binding(threadId);
  const holder = deps.router.agent(binding?.agentId ?? DEFAULT_AGENT_ID);
  const cancelled = await (holder?.client ?? deps.agent).cancel({
    protocolVersion: PROTOCOL_VERSION,
    botRequestId,
    ...(start.record.executionId ? { executionId: start.record.executionId } : {}),
    reason: "stopped by the user in the chat",
  });
  if (cancelled.kind !== "accepted") {
    deps.logger.warn("the agent did not accept the cancel", {
      botRequestId,
      result: cancelled.kind,
    });
  }
  await notifyThread(deps, deps.chat.thread(threadId), USER_NOTICES.stopped);
  const finished = await finishRequest(deps, start, { status: "cancelled" });
  if (finished.kind === "finalized") await handOnAfterFinish(deps, finished.record);
}
