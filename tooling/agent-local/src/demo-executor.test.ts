import { describe, expect, it } from "vitest";
import type { ProgressUpdate } from "./callback-outbox";
import { createDemoExecutor, readDemoMarkers, splitAnswer } from "./demo-executor";
import { ExecutionError, InvalidOptionsError } from "./errors";
import type { ExecutorContext, ExecutorRequest } from "./executor";

const request: ExecutorRequest = {
  protocolVersion: 1,
  botRequestId: "req_demo",
  prompt: "Summarise   the\nthread please",
  context: {
    platform: "slack",
    threadId: "t",
    channelId: "c",
    preamble: "Be nice.",
    history: [{ role: "user", author: "Ada", text: "hi" }],
  },
  deadline: "2099-01-01T00:00:00Z",
};

function context(overrides: Partial<ExecutorContext> = {}) {
  const progressed: { message: string; step?: { step: number; totalSteps: number } }[] = [];
  const updates: ProgressUpdate[] = [];
  const ctx: ExecutorContext = {
    signal: new AbortController().signal,
    progress: (message, step) => progressed.push(step ? { message, step } : { message }),
    update: (fields) => {
      updates.push(fields);
      if (fields.message) progressed.push({ message: fields.message, step: fields.step });
    },
    executionId: "exec_1",
    readFile: async () => ({ kind: "refused", status: 404, code: "file_not_found" }),
    filesUrl: "http://agent.invalid/files",
    session: {
      id: "sess_1",
      turn: 2,
      priorTurns: [
        {
          number: 1,
          botRequestId: "r0",
          executionId: "e0",
          prompt: "earlier",
          status: "completed",
        },
      ],
    },
    ...overrides,
  };
  return { ctx, progressed, updates };
}

const instant = async () => {};

describe("demo executor", () => {
  it("answers deterministically from the request and the session", async () => {
    const executor = createDemoExecutor({ delayMs: 0, progressSteps: 0, sleep: instant });
    const { ctx } = context();
    const first = await executor.run(request, ctx);
    expect((await executor.run(request, ctx)).text).toBe(first.text);
    expect(first.text).toContain("turn 2 of session `sess_1`");
    expect(first.text).toContain('You said: "Summarise the thread please"');
    expect(first.text).toContain("Prompt: 4 words");
    expect(first.text).toContain("Thread history: 1 messages, the latest from Ada");
    expect(first.text).toContain(
      'Earlier turns in this session: 1; the previous one asked "earlier"',
    );
  });

  it("spreads progress steps over the delay", async () => {
    const waits: number[] = [];
    const executor = createDemoExecutor({
      delayMs: 300,
      progressSteps: 2,
      streamPieces: 0,
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    const { ctx, progressed } = context();
    await executor.run(request, ctx);
    expect(waits).toEqual([100, 100, 100]);
    expect(progressed.map((p) => p.step)).toEqual([
      { step: 1, totalSteps: 2 },
      { step: 2, totalSteps: 2 },
    ]);
  });

  it("uses slowDelayMs on [slow], and fails on [fail]", async () => {
    const waits: number[] = [];
    const executor = createDemoExecutor({
      delayMs: 10,
      slowDelayMs: 1_000,
      progressSteps: 0,
      streamPieces: 0,
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    await executor.run({ ...request, prompt: "[SLOW] please" }, context().ctx);
    expect(waits).toEqual([1_000]);
    await expect(
      executor.run({ ...request, prompt: "[fail]" }, context().ctx),
    ).rejects.toBeInstanceOf(ExecutionError);
  });

  it("shows its plan step by step and streams the answer it then completes with", async () => {
    const executor = createDemoExecutor({
      delayMs: 0,
      progressSteps: 3,
      streamPieces: 3,
      sleep: instant,
    });
    const { ctx, updates } = context();
    const result = await executor.run(
      { ...request, prompt: "[long] explain `--frozen-lockfile`" },
      ctx,
    );
    const plans = updates.flatMap((u) => (u.plan ? [u.plan.map((s) => s.state)] : []));
    expect(plans).toEqual([
      ["in_progress", "pending", "pending"],
      ["done", "in_progress", "pending"],
      ["done", "done", "in_progress"],
      ["done", "done", "done"],
    ]);
    const deltas = updates.flatMap((u) => (u.textDelta ? [u.textDelta] : []));
    expect(deltas.length).toBeGreaterThanOrEqual(3);
    expect(deltas.join("")).toBe(result.text);
  });

  it("splits an answer at line ends, within the delta limit", () => {
    const answer = "# Titre\n\nDéjà vu — `pnpm -r --filter ./apps/*`\n```sh\nls -la\n```\n";
    const pieces = splitAnswer(answer, 3);
    expect(pieces.join("")).toBe(answer);
    expect(pieces.every((p) => p.endsWith("\n"))).toBe(true);
    const huge = "語".repeat(20_000);
    expect(splitAnswer(huge, 1).every((p) => Buffer.byteLength(p) <= 16 * 1024)).toBe(true);
    expect(splitAnswer(huge, 1).join("")).toBe(huge);
    expect(splitAnswer(answer, 0)).toEqual([]);
  });

  it("waits until aborted on [never]", async () => {
    const controller = new AbortController();
    const executor = createDemoExecutor({ sleep: instant });
    const run = executor.run(
      { ...request, prompt: "[never]" },
      context({ signal: controller.signal }).ctx,
    );
    controller.abort(new Error("stop"));
    await expect(run).rejects.toThrow("stop");
  });

  it("reads markers case-insensitively and rejects bad options", () => {
    expect([...readDemoMarkers("a [Long] b [fail] [unknown]")].sort()).toEqual(["fail", "long"]);
    expect(() => createDemoExecutor({ delayMs: -1 })).toThrow(InvalidOptionsError);
    expect(() => createDemoExecutor({ progressSteps: 1.5 })).toThrow(InvalidOptionsError);
  });
});
