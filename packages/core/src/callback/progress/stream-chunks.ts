import type { TaskUpdateChunk } from "chat";
import type { NativeStreamChunk } from "../../platform/native-stream";
import { USER_NOTICES } from "../../platform/user-notices";
import type { StatusMessage } from "../../request/status-message-store";

/** The protocol's step states as Slack's task states (a skipped step is done with). */
const TASK_STATUS: Record<string, TaskUpdateChunk["status"]> = {
  pending: "pending",
  in_progress: "in_progress",
  done: "complete",
  skipped: "complete",
  failed: "error",
};

/**
 * The status line and plan as native stream chunks: a `plan_update` titled with the status line,
 * and one `task_update` per step (its id is its position, so a step keeps its card as it
 * changes). Nothing while there is neither a status nor a plan: the thread's own status shows
 * that the agent works.
 */
export function planChunks(status: StatusMessage): NativeStreamChunk[] {
  if (!status.status && !status.plan?.length) return [];
  const title = status.status
    ? USER_NOTICES.progress(status.status.message, status.status.step, status.status.totalSteps)
    : USER_NOTICES.working;
  return [
    { type: "plan_update", title: plainTitle(title) },
    ...(status.plan ?? []).map(
      (step, index): TaskUpdateChunk => ({
        type: "task_update",
        id: `step-${index + 1}`,
        title: step.title,
        status: TASK_STATUS[step.state] ?? "pending",
        ...(step.state === "skipped" ? { output: "skipped" } : {}),
      }),
    ),
  ];
}

/** A plan title is plain text: the status line's Markdown emphasis would show its markers. */
function plainTitle(line: string): string {
  return line.replace(/(?<=^|\s)[_*]+|[_*]+(?=\s|$)/g, "").trim();
}
