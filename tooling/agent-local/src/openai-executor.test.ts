import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it, onTestFinished } from "vitest";
import { ExecutionError } from "./errors";
import type { ExecutorContext, ExecutorRequest } from "./executor";
import { chatMessages, createOpenAiExecutor } from "./openai-executor";
import { closedPort } from "./test-support/closed-port";
import { startHarness } from "./test-support/harness";

interface SeenRequest {
  path: string;
  authorization: string | undefined;
  body: { model: string; messages: { role: string; content: string }[]; reasoning_effort?: string };
}

/** A loopback stand-in for an OpenAI-compatible server; `answer` decides each response. */
async function startFakeModel(
  answer: (request: IncomingMessage, response: ServerResponse) => void,
) {
  const seen: SeenRequest[] = [];
  let closedEarly = 0;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      seen.push({
        path: request.url ?? "",
        authorization: request.headers.authorization,
        body: JSON.parse(Buffer.concat(chunks).toString("utf8")),
      });
      response.on("close", () => {
        if (!response.writableEnded) closedEarly += 1;
      });
      answer(request, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  onTestFinished(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    seen,
    closedEarly: () => closedEarly,
  };
}

function completion(content: string | null) {
  return JSON.stringify({
    choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
  });
}

function json(status: number, body: string) {
  return (_request: IncomingMessage, response: ServerResponse) => {
    response.writeHead(status, { "content-type": "application/json" });
    response.end(body);
  };
}

const request: ExecutorRequest = {
  protocolVersion: 1,
  botRequestId: "req_openai",
  prompt: "Why is the build red?",
  context: {
    platform: "slack",
    threadId: "t",
    channelId: "c",
    preamble: "You are terse.",
    history: [
      { role: "user", author: "Ada", text: "The build broke" },
      { role: "assistant", text: "Looking." },
    ],
  },
  deadline: "2099-01-01T00:00:00Z",
};

function context(
  signal = new AbortController().signal,
): ExecutorContext & { progressed: string[] } {
  const progressed: string[] = [];
  return {
    signal,
    progress: (message) => progressed.push(message),
    update: (fields) => {
      if (fields.message) progressed.push(fields.message);
    },
    executionId: "exec_1",
    readFile: async () => ({ kind: "refused", status: 404, code: "file_not_found" }),
    filesUrl: "http://agent.invalid/files",
    session: { id: "sess_1", turn: 1, priorTurns: [] },
    progressed,
  };
}

async function failureOf(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof ExecutionError))
    throw new Error(`expected an ExecutionError, got ${String(error)}`);
  return error.failure;
}

describe("OpenAI-compatible executor", () => {
  it("answers through the agent: preamble + history + prompt in, completed callback out", async () => {
    const model = await startFakeModel(
      json(200, completion("It is red because of **flaky tests**.")),
    );
    const h = await startHarness({
      openai: { baseUrl: `${model.baseUrl}/`, apiKey: "sk-test", model: "tiny" },
    });
    const dispatch = { ...h.build(), context: request.context, prompt: request.prompt };
    await h.dispatch(dispatch);
    const terminal = await h.receiver.waitForTerminal(dispatch.botRequestId);

    expect(terminal).toMatchObject({
      type: "completed",
      text: "It is red because of **flaky tests**.",
    });
    expect(h.receiver.callbacks(dispatch.botRequestId)[0]).toMatchObject({
      type: "progress",
      message: "Asking tiny",
    });
    expect(model.seen).toHaveLength(1);
    expect(model.seen[0]?.path).toBe("/v1/chat/completions");
    expect(model.seen[0]?.authorization).toBe("Bearer sk-test");
    expect(model.seen[0]?.body).toEqual({
      model: "tiny",
      messages: [
        { role: "system", content: "You are terse." },
        { role: "user", content: "Ada: The build broke" },
        { role: "assistant", content: "Looking." },
        { role: "user", content: "Why is the build red?" },
      ],
    });
  });

  it("uses the dispatch's model and reasoning effort when given", async () => {
    const model = await startFakeModel(json(200, completion("ok")));
    const executor = createOpenAiExecutor({ baseUrl: model.baseUrl, model: "default-model" });
    await executor.run(
      { ...request, options: { model: "gpt-x", reasoningEffort: "low" } },
      context(),
    );
    expect(model.seen[0]?.body).toMatchObject({ model: "gpt-x", reasoning_effort: "low" });
    expect(model.seen[0]?.authorization).toBeUndefined();
  });

  it.each([
    [401, "model_auth_failed", false],
    [404, "model_not_found", false],
    [400, "model_rejected_request", false],
    [429, "model_rate_limited", true],
    [500, "model_unavailable", true],
    [503, "model_unavailable", true],
    [504, "model_timeout", true],
  ])("maps HTTP %i to %s", async (status, code, retryable) => {
    const model = await startFakeModel(
      json(status, JSON.stringify({ error: { message: "nope" } })),
    );
    const executor = createOpenAiExecutor({ baseUrl: model.baseUrl, apiKey: "k", model: "m" });
    expect(await failureOf(executor.run(request, context()))).toMatchObject({ code, retryable });
  });

  it("maps unreadable and empty answers to model_bad_response", async () => {
    for (const body of [
      "not json",
      JSON.stringify({ choices: [] }),
      completion(null),
      completion("  "),
    ]) {
      const model = await startFakeModel(json(200, body));
      const executor = createOpenAiExecutor({ baseUrl: model.baseUrl, model: "m" });
      expect(await failureOf(executor.run(request, context()))).toMatchObject({
        code: "model_bad_response",
      });
    }
  });

  it("maps an unreachable server to model_unreachable and a silent one to model_timeout", async () => {
    const unreachable = createOpenAiExecutor({
      baseUrl: `http://127.0.0.1:${await closedPort()}/v1`,
      model: "m",
    });
    expect(await failureOf(unreachable.run(request, context()))).toMatchObject({
      code: "model_unreachable",
      retryable: true,
    });

    const silent = await startFakeModel(() => {});
    const slow = createOpenAiExecutor({ baseUrl: silent.baseUrl, model: "m", timeoutMs: 100 });
    expect(await failureOf(slow.run(request, context()))).toMatchObject({ code: "model_timeout" });
  });

  it("stops the model call when the run is aborted", async () => {
    const silent = await startFakeModel(() => {});
    const executor = createOpenAiExecutor({ baseUrl: silent.baseUrl, model: "m" });
    const controller = new AbortController();
    const run = executor.run(request, context(controller.signal));
    await expect.poll(() => silent.seen.length).toBe(1);
    controller.abort(new Error("cancelled"));
    await expect(run).rejects.toThrow("cancelled");
    await expect.poll(() => silent.closedEarly()).toBe(1);
  });

  it("sends a placeholder for an empty prompt and skips empty history entries", () => {
    const messages = chatMessages({
      ...request,
      prompt: " ",
      context: { ...request.context, preamble: undefined, history: [{ role: "user", text: "" }] },
    });
    expect(messages).toEqual([
      { role: "user", content: "(The user mentioned you without a message.)" },
    ]);
  });
});
