import type { ProgressCallback } from "@baton/agent-protocol";
import { PROGRESS_PREVIEW_MAX_CHARS, PROGRESS_TEXT_MAX_CHARS } from "../keys";
import { USER_NOTICES } from "../platform/user-notices";
import type { StatusMessage } from "../request/status-message-store";

/** What a progress callback changes in the shown status, and the status it leads to. */
export interface ProgressMerge {
  next: StatusMessage;
  /** The status line or the plan changed (always shown). */
  statusChanged: boolean;
  /** A text delta not seen before was added (shown, throttled). */
  textChanged: boolean;
}

/**
 * Folds a progress callback into the shown status. The status line and plan are taken only from a
 * callback newer than any seen (an older one would roll them back); a text delta is kept under its
 * own sequence whenever it comes, so the answer assembles in sequence order, each delta once.
 */
export function mergeProgress(
  current: StatusMessage | undefined,
  callback: ProgressCallback,
): ProgressMerge {
  const base: StatusMessage = current ?? { sequence: -1 };
  const newer = callback.sequence > base.sequence;
  const next: StatusMessage = { ...base, sequence: Math.max(base.sequence, callback.sequence) };
  let statusChanged = false;
  if (newer && callback.message !== undefined) {
    next.status = {
      message: callback.message,
      ...(callback.step !== undefined ? { step: callback.step } : {}),
      ...(callback.totalSteps !== undefined ? { totalSteps: callback.totalSteps } : {}),
    };
    statusChanged = true;
  }
  if (newer && callback.plan !== undefined) {
    next.plan = callback.plan.map(({ title, state }) => ({ title, state }));
    statusChanged = true;
  }
  if (callback.sessionUrl !== undefined && callback.sessionUrl !== base.sessionUrl) {
    // The newest wins; an older one only when none is known yet.
    if (newer || base.sessionUrl === undefined) {
      next.sessionUrl = callback.sessionUrl;
      statusChanged = true;
    }
  }
  let textChanged = false;
  const key = String(callback.sequence);
  const deltas = base.deltas ?? {};
  if (callback.textDelta !== undefined && deltas[key] === undefined) {
    if (storedChars(deltas) + callback.textDelta.length <= PROGRESS_TEXT_MAX_CHARS) {
      next.deltas = { ...deltas, [key]: callback.textDelta };
      textChanged = true;
    }
  }
  return { next, statusChanged, textChanged };
}

/** The streamed answer so far: every stored delta once, in sequence order. */
export function assembledText(status: StatusMessage): string {
  return Object.entries(status.deltas ?? {})
    .map(([sequence, text]) => ({ sequence: Number(sequence), text }))
    .sort((a, b) => a.sequence - b.sequence)
    .map((delta) => delta.text)
    .join("");
}

const PLAN_MARKS: Record<string, string> = {
  done: "✅",
  in_progress: "⏳",
  pending: "⬜",
  failed: "❌",
  skipped: "⏭️",
};

/** The status message's Markdown: status line, plan as a checklist, then the answer so far. */
export function renderProgress(status: StatusMessage): string {
  const { head, preview } = renderProgressParts(status);
  return preview ? `${head}\n\n${preview}` : head;
}

/** The status line with the plan, and the preview of the answer so far (if any). */
export function renderProgressParts(status: StatusMessage): { head: string; preview?: string } {
  const line = status.status
    ? USER_NOTICES.progress(status.status.message, status.status.step, status.status.totalSteps)
    : USER_NOTICES.working;
  const plan = status.plan?.length
    ? status.plan.map((step) => `${PLAN_MARKS[step.state] ?? "•"} ${step.title}`).join("\n")
    : undefined;
  const head = plan ? `${line}\n\n${plan}` : line;
  const text = assembledText(status);
  return text.trim() === "" ? { head } : { head, preview: preview(text) };
}

/** The head of the streamed text, cut at a line end when one is near, with an open fence closed. */
function preview(text: string): string {
  if (text.length <= PROGRESS_PREVIEW_MAX_CHARS) return closeFence(text);
  const head = text.slice(0, PROGRESS_PREVIEW_MAX_CHARS);
  const lineEnd = head.lastIndexOf("\n");
  const cut = lineEnd > PROGRESS_PREVIEW_MAX_CHARS / 2 ? head.slice(0, lineEnd) : head;
  return `${closeFence(cut)}\n…`;
}

/** A preview cut inside a code block would turn the rest of the message into code. */
function closeFence(text: string): string {
  const fences = text.match(/^```/gm)?.length ?? 0;
  return fences % 2 === 1 ? `${text}\n\`\`\`` : text;
}

function storedChars(deltas: Record<string, string>): number {
  let total = 0;
  for (const text of Object.values(deltas)) total += text.length;
  return total;
}
