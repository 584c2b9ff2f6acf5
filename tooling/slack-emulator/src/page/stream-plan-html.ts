import type { StreamPlanView } from "../model/stream-plan";

/**
 * A streamed message's plan as Slack's agent messages show it: the plan's title, then each task
 * with its state (a check when complete, a spinner while in progress, a hollow circle while
 * pending, a cross on error), its details and output below it. Shipped to the page as source
 * (`toString()`), so it uses nothing from outside its own body.
 */
export function renderStreamPlanHtml(plan: StreamPlanView): string {
  const escapeText = (value: string) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const marks: Record<string, string> = {
    complete: "✓",
    in_progress: "◌",
    pending: "○",
    error: "✕",
  };
  const done = plan.tasks.filter((task) => task.status === "complete").length;
  const head =
    `<div class="plan-head"><span class="plan-title">${escapeText(plan.title ?? "Plan")}</span>` +
    (plan.tasks.length ? `<span class="plan-count">${done}/${plan.tasks.length}</span>` : "") +
    "</div>";
  const tasks = plan.tasks
    .map((task) => {
      const extra = [task.details, task.output]
        .filter((text): text is string => typeof text === "string" && text !== "")
        .map((text) => `<div class="task-extra">${escapeText(text)}</div>`)
        .join("");
      return (
        `<li class="task ${escapeText(task.status)}" data-task="${escapeText(task.id)}">` +
        `<span class="task-mark">${marks[task.status] ?? "○"}</span>` +
        `<span class="task-title">${escapeText(task.title)}</span>${extra}</li>`
      );
    })
    .join("");
  return `<div class="plan ${escapeText(plan.displayMode)}">${head}<ul>${tasks}</ul></div>`;
}

/** The plan block's styles, next to its markup. */
export const STREAM_PLAN_STYLE = `
.plan{border:1px solid #e0e0e0;border-radius:8px;padding:8px 10px;margin:4px 0 6px;background:#fbfbfb}
.plan-head{display:flex;gap:8px;align-items:center;font-weight:700}.plan-count{font-size:12px;color:#616061;font-weight:400}
.plan ul{list-style:none;margin:6px 0 0;padding:0}.task{display:flex;flex-wrap:wrap;gap:6px;align-items:baseline;padding:2px 0}
.task-mark{width:16px;text-align:center;font-weight:700}.task.complete .task-mark{color:#2eb67d}
.task.in_progress .task-mark{color:#1264a3;display:inline-block;animation:spin 1.2s linear infinite}
.task.error .task-mark{color:#e01e5a}.task.pending{color:#616061}.task-extra{flex-basis:100%;padding-left:22px;font-size:12px;color:#616061}
@keyframes spin{to{transform:rotate(360deg)}}
.msg.streaming .text::after{content:"▍";color:#1264a3;animation:blink 1s steps(1) infinite}
@keyframes blink{50%{opacity:0}}
`;
