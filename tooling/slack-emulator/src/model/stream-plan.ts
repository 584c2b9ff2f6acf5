/**
 * The structured chunks of a Slack stream (https://docs.slack.dev/ai/developing-ai-apps): a
 * `plan_update` names the plan, a `task_update` adds a task or changes it by its `id`. This folds
 * them into what Slack shows: one plan (`task_display_mode: "plan"`) or a timeline of task cards.
 */

export type TaskStatus = "pending" | "in_progress" | "complete" | "error";

export interface StreamTask {
  id: string;
  title: string;
  status: TaskStatus;
  details?: string;
  output?: string;
}

export interface StreamPlanView {
  title?: string;
  displayMode: "plan" | "timeline";
  tasks: StreamTask[];
}

const TASK_STATUSES: ReadonlySet<string> = new Set(["pending", "in_progress", "complete", "error"]);
/** Slack's limits on a task's and a plan's texts. */
const TITLE_MAX_CHARS = 256;
const DETAILS_MAX_CHARS = 4_000;

/** Why a structured chunk is refused (Slack answers `invalid_chunks`), or undefined if it is fine. */
export function structuredChunkProblem(chunk: Record<string, unknown>): string | undefined {
  const text = (field: string, max: number, required: boolean) => {
    const value = chunk[field];
    if (value === undefined) return required ? `${field} is required` : undefined;
    if (typeof value !== "string" || value.length === 0) return `${field} must be a string`;
    return value.length > max ? `${field} is longer than ${max}` : undefined;
  };
  switch (chunk.type) {
    case "plan_update":
      return text("title", TITLE_MAX_CHARS, true);
    case "task_update":
      if (typeof chunk.status !== "string" || !TASK_STATUSES.has(chunk.status)) {
        return "status must be pending, in_progress, complete or error";
      }
      return (
        text("id", TITLE_MAX_CHARS, true) ??
        text("title", TITLE_MAX_CHARS, true) ??
        text("details", DETAILS_MAX_CHARS, false) ??
        text("output", DETAILS_MAX_CHARS, false)
      );
    default:
      return `unknown chunk type ${String(chunk.type)}`;
  }
}

/** The plan as it stands after these chunks (undefined when none was a plan or task chunk). */
export function foldStreamChunks(
  chunks: readonly Record<string, unknown>[],
  displayMode: "plan" | "timeline" = "timeline",
): StreamPlanView | undefined {
  if (chunks.length === 0) return undefined;
  const view: StreamPlanView = { displayMode, tasks: [] };
  const byId = new Map<string, StreamTask>();
  for (const chunk of chunks) {
    if (chunk.type === "plan_update" && typeof chunk.title === "string") view.title = chunk.title;
    if (chunk.type !== "task_update" || typeof chunk.id !== "string") continue;
    const task: StreamTask = {
      id: chunk.id,
      title: String(chunk.title),
      status: chunk.status as TaskStatus,
      ...(typeof chunk.details === "string" ? { details: chunk.details } : {}),
      ...(typeof chunk.output === "string" ? { output: chunk.output } : {}),
    };
    const known = byId.get(task.id);
    if (known) Object.assign(known, task);
    else {
      byId.set(task.id, task);
      view.tasks.push(task);
    }
  }
  return view;
}
