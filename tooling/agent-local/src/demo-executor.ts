/**
 * The offline executor: a deterministic answer built from the request, after a configurable delay
 * with progress along the way. Prompt markers make it misbehave on purpose for tests and demos:
 *   [fail]  ends with a `failed` callback (code `demo_failure`)
 *   [slow]  waits `slowDelayMs` instead of `delayMs`
 *   [never] never calls back (until cancelled): exercises Baton's deadline sweeper
 *   [long]  answers with more than `longAnswerChars` characters: exercises chunked posting
 *   [file]…  attaches files (see demo-files.ts); every listed file is read and reported
 * Each step's progress carries the plan (one step per progress step, the current one in progress),
 * and the answer may be streamed in `streamPieces` text deltas before the `completed` callback.
 */
import { MAX_TEXT_DELTA_BYTES, type Plan, utf8ByteLength } from "@baton/agent-protocol";
import { demoAttachments, describeListedFiles, readFileMarker } from "./demo-files";
import { ExecutionError, type ExecutionFailure, InvalidOptionsError } from "./errors";
import type { Executor, ExecutorContext, ExecutorRequest } from "./executor";
import { sleep as defaultSleep, untilAborted } from "./sleep";
import { summarize } from "./text";

export const DEFAULT_DEMO_DELAY_MS = 1_500;
export const DEFAULT_DEMO_PROGRESS_STEPS = 2;
export const DEFAULT_DEMO_SLOW_DELAY_MS = 20_000;
export const DEFAULT_DEMO_LONG_ANSWER_CHARS = 12_000;
export const DEFAULT_DEMO_STREAM_PIECES = 3;

export const DEMO_MARKERS = ["fail", "slow", "never", "long"] as const;
export type DemoMarker = (typeof DEMO_MARKERS)[number];

export interface DemoExecutorOptions {
  /** Total time a normal run takes; progress callbacks are spread over it. */
  delayMs?: number;
  progressSteps?: number;
  /** Total time of a run whose prompt carries `[slow]`. */
  slowDelayMs?: number;
  /** Fail every run with this error (a `failed` callback), after the delay. */
  failWith?: ExecutionFailure;
  /** Minimum length of a `[long]` answer. */
  longAnswerChars?: number;
  /**
   * Text deltas the answer is streamed in before it completes (default 0: not streamed, so a
   * test counting callbacks sees only the progress steps; the CLI streams by default).
   */
  streamPieces?: number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export function createDemoExecutor(options: DemoExecutorOptions = {}): Executor {
  const delayMs = nonNegative("delayMs", options.delayMs ?? DEFAULT_DEMO_DELAY_MS);
  const slowDelayMs = nonNegative("slowDelayMs", options.slowDelayMs ?? DEFAULT_DEMO_SLOW_DELAY_MS);
  const steps = nonNegative("progressSteps", options.progressSteps ?? DEFAULT_DEMO_PROGRESS_STEPS);
  if (!Number.isInteger(steps)) throw new InvalidOptionsError("progressSteps must be an integer");
  const longAnswerChars = options.longAnswerChars ?? DEFAULT_DEMO_LONG_ANSWER_CHARS;
  const sleep = options.sleep ?? defaultSleep;
  const pieces = nonNegative("streamPieces", options.streamPieces ?? 0);

  return {
    name: "demo",
    async run(request, context) {
      const markers = readDemoMarkers(request.prompt);
      if (markers.has("never")) return untilAborted(context.signal);

      const total = markers.has("slow") ? slowDelayMs : delayMs;
      const slice = total / (steps + 1);
      for (let step = 1; step <= steps; step++) {
        await sleep(slice, context.signal);
        context.update({
          message: `Demo step ${step} of ${steps}: ${stepLabel(step)}`,
          step: { step, totalSteps: steps },
          plan: demoPlan(steps, step),
        });
      }

      if (options.failWith) throw new ExecutionError(options.failWith);
      if (markers.has("fail")) {
        throw new ExecutionError({
          code: "demo_failure",
          message: "The demo agent failed on purpose (the prompt asked for it with [fail]).",
          retryable: false,
        });
      }
      const fileLines = await describeListedFiles(request, context);
      const head = [demoAnswer(request, context), ...fileLines].join("\n");
      const answer = markers.has("long") ? longAnswer(head, longAnswerChars) : head;
      const fileMarker = readFileMarker(request.prompt);
      const deltas = splitAnswer(answer, pieces);
      const pause = slice / (deltas.length + 1);
      for (const [index, textDelta] of deltas.entries()) {
        await sleep(pause, context.signal);
        const last = index === deltas.length - 1;
        context.update({
          textDelta,
          ...(last && steps > 0 ? { plan: demoPlan(steps, steps + 1) } : {}),
        });
      }
      await sleep(deltas.length > 0 ? pause : slice, context.signal);
      return {
        text: answer,
        ...(fileMarker ? { attachments: demoAttachments(fileMarker, context.filesUrl) } : {}),
      };
    },
  };
}

const STEP_LABELS = ["reading the thread", "thinking it over", "writing the answer"] as const;

function stepLabel(step: number): string {
  return STEP_LABELS[(step - 1) % STEP_LABELS.length] ?? "working";
}

/** The demo's plan while step `current` runs (steps before it done; past the last: all done). */
export function demoPlan(steps: number, current: number): Plan {
  return Array.from({ length: steps }, (_, index) => {
    const step = index + 1;
    const title = `${step}. ${stepLabel(step).replace(/^./, (c) => c.toUpperCase())}`;
    const state = step < current ? "done" : step === current ? "in_progress" : "pending";
    return { title, state };
  });
}

/**
 * The answer cut into `pieces` deltas at line ends (never inside a line, so each piece shows as
 * readable markdown); each piece stays within the protocol's delta limit.
 */
export function splitAnswer(answer: string, pieces: number): string[] {
  if (pieces <= 0) return [];
  const lines = answer.split(/(?<=\n)/);
  const perPiece = Math.ceil(lines.length / pieces);
  const out: string[] = [];
  for (let start = 0; start < lines.length; start += perPiece) {
    const piece = lines.slice(start, start + perPiece).join("");
    // A long answer's pieces may exceed the limit: cut them further.
    const chars = Array.from(piece);
    for (let at = 0; at < chars.length; at += MAX_DELTA_CHARS) {
      out.push(chars.slice(at, at + MAX_DELTA_CHARS).join(""));
    }
  }
  return out.filter((piece) => piece !== "");
}

/** 4 bytes per code point at most, so this many characters always fit MAX_TEXT_DELTA_BYTES. */
const MAX_DELTA_CHARS = MAX_TEXT_DELTA_BYTES / 4;

export function readDemoMarkers(prompt: string): Set<DemoMarker> {
  const found = new Set<DemoMarker>();
  for (const match of prompt.matchAll(/\[(fail|slow|never|long)\]/gi)) {
    found.add((match[1] as string).toLowerCase() as DemoMarker);
  }
  return found;
}

/** Everything in it comes from the request and the session, so tests can assert on it. */
export function demoAnswer(request: ExecutorRequest, context: ExecutorContext): string {
  const { history, preamble } = request.context;
  const prompt = request.prompt.trim();
  const words = prompt === "" ? 0 : prompt.split(/\s+/).length;
  const latest = history.at(-1);
  const previous = context.session.priorTurns.at(-1);
  const lines = [
    `**Baton demo agent**, turn ${context.session.turn} of session \`${context.session.id}\``,
    "",
    prompt === "" ? "You mentioned me without a message." : `You said: "${summarize(prompt, 200)}"`,
    "",
    `- Prompt: ${words} words, ${utf8ByteLength(request.prompt)} bytes`,
    `- Thread history: ${history.length} messages${latest?.author ? `, the latest from ${latest.author}` : ""}`,
    `- Preamble: ${preamble ? `${utf8ByteLength(preamble)} bytes` : "none"}`,
    `- Earlier turns in this session: ${context.session.priorTurns.length}${
      previous ? `; the previous one asked "${summarize(previous.prompt, 80)}"` : ""
    }`,
  ];
  if (request.options?.model) lines.push(`- Model asked for: ${request.options.model}`);
  // Echoed so the quick start and the tests can see who Baton says asked, and where to work.
  const { requester, settings } = request;
  if (requester) {
    const name = requester.displayName ? `${requester.displayName} ` : "";
    const where = requester.workspaceId ? ` in workspace ${requester.workspaceId}` : "";
    const account = requester.accountId ? `, account ${requester.accountId}` : "";
    lines.push(`- Requester: ${name}(${requester.userId}${where}${account})`);
  }
  if (settings?.repository) lines.push(`- Repository: ${settings.repository}`);
  if (settings?.branch) lines.push(`- Branch: ${settings.branch}`);
  return lines.join("\n");
}

function longAnswer(head: string, minChars: number): string {
  const parts = [head];
  let length = head.length;
  for (let section = 1; length <= minChars; section++) {
    const part = [
      `## Section ${section}`,
      "",
      `This is paragraph ${section} of a deliberately long demo answer. It exists so that Baton has to`,
      "split the reply into several chat messages: every platform caps the size of one message, and",
      "the split must keep Markdown intact, never cutting through a word, a list or a code block.",
      "",
      `- item ${section}.1: the answer continues`,
      `- item ${section}.2: and continues`,
      "",
      "```text",
      `code block ${section}: kept whole`,
      "```",
    ].join("\n");
    parts.push(part);
    length += part.length + 2;
  }
  return parts.join("\n\n");
}

function nonNegative(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) {
    throw new InvalidOptionsError(`demo.${name} must be a number >= 0`);
  }
  return value;
}
