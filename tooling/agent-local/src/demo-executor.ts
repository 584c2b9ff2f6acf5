/**
 * The offline executor: a deterministic answer built from the request, after a configurable delay
 * with progress along the way. Prompt markers make it misbehave on purpose for tests and demos:
 *   [fail]  ends with a `failed` callback (code `demo_failure`)
 *   [slow]  waits `slowDelayMs` instead of `delayMs`
 *   [never] never calls back (until cancelled): exercises Baton's deadline sweeper
 *   [long]  answers with more than `longAnswerChars` characters: exercises chunked posting
 *   [file]…  attaches files (see demo-files.ts); every listed file is read and reported
 */
import { utf8ByteLength } from "@baton/agent-protocol";
import { demoAttachments, describeListedFiles, readFileMarker } from "./demo-files";
import { ExecutionError, type ExecutionFailure, InvalidOptionsError } from "./errors";
import type { Executor, ExecutorContext, ExecutorRequest } from "./executor";
import { sleep as defaultSleep, untilAborted } from "./sleep";
import { summarize } from "./text";

export const DEFAULT_DEMO_DELAY_MS = 1_500;
export const DEFAULT_DEMO_PROGRESS_STEPS = 2;
export const DEFAULT_DEMO_SLOW_DELAY_MS = 20_000;
export const DEFAULT_DEMO_LONG_ANSWER_CHARS = 12_000;

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
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export function createDemoExecutor(options: DemoExecutorOptions = {}): Executor {
  const delayMs = nonNegative("delayMs", options.delayMs ?? DEFAULT_DEMO_DELAY_MS);
  const slowDelayMs = nonNegative("slowDelayMs", options.slowDelayMs ?? DEFAULT_DEMO_SLOW_DELAY_MS);
  const steps = nonNegative("progressSteps", options.progressSteps ?? DEFAULT_DEMO_PROGRESS_STEPS);
  if (!Number.isInteger(steps)) throw new InvalidOptionsError("progressSteps must be an integer");
  const longAnswerChars = options.longAnswerChars ?? DEFAULT_DEMO_LONG_ANSWER_CHARS;
  const sleep = options.sleep ?? defaultSleep;

  return {
    name: "demo",
    async run(request, context) {
      const markers = readDemoMarkers(request.prompt);
      if (markers.has("never")) return untilAborted(context.signal);

      const total = markers.has("slow") ? slowDelayMs : delayMs;
      const slice = total / (steps + 1);
      for (let step = 1; step <= steps; step++) {
        await sleep(slice, context.signal);
        context.progress(`Demo step ${step} of ${steps}: ${STEP_LABELS[(step - 1) % 3]}`, {
          step,
          totalSteps: steps,
        });
      }
      await sleep(slice, context.signal);

      if (options.failWith) throw new ExecutionError(options.failWith);
      if (markers.has("fail")) {
        throw new ExecutionError({
          code: "demo_failure",
          message: "The demo agent failed on purpose (the prompt asked for it with [fail]).",
          retryable: false,
        });
      }
      const fileLines = await describeListedFiles(request, context);
      const answer = [demoAnswer(request, context), ...fileLines].join("\n");
      const fileMarker = readFileMarker(request.prompt);
      return {
        text: markers.has("long") ? longAnswer(answer, longAnswerChars) : answer,
        ...(fileMarker ? { attachments: demoAttachments(fileMarker, context.filesUrl) } : {}),
      };
    },
  };
}

const STEP_LABELS = ["reading the thread", "thinking it over", "writing the answer"] as const;

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
