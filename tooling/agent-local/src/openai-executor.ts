/**
 * An executor backed by any OpenAI-compatible chat-completions endpoint (OpenAI, a local Ollama or
 * vLLM, a gateway): one POST per run, messages = preamble + thread history + prompt. Every failure
 * becomes an ExecutionError with a stable code and a message fit for the user; details go in the
 * cause, for the log.
 */
import { z } from "zod";
import { ExecutionError, type ExecutionFailure, InvalidOptionsError } from "./errors";
import type { Executor, ExecutorRequest } from "./executor";
import { readResponseText } from "./text";

export const DEFAULT_OPENAI_TIMEOUT_MS = 120_000;
/** Bounds what a misbehaving endpoint can make us buffer. */
export const MAX_OPENAI_RESPONSE_BYTES = 8 * 1024 * 1024;

export interface OpenAiExecutorOptions {
  /** E.g. `https://api.openai.com/v1` or `http://127.0.0.1:11434/v1`; `/chat/completions` is appended. */
  baseUrl: string;
  /** Sent as a bearer token; leave empty for local servers that need none. */
  apiKey?: string;
  /** Used when the dispatch does not name a model in `options.model`. */
  model: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

const ChatCompletionSchema = z.object({
  choices: z
    .array(
      z.object({
        message: z.object({ content: z.string().nullish() }),
        finish_reason: z.string().nullish(),
      }),
    )
    .min(1),
});

export function createOpenAiExecutor(options: OpenAiExecutorOptions): Executor {
  let endpoint: URL;
  try {
    endpoint = new URL(`${options.baseUrl.replace(/\/+$/, "")}/chat/completions`);
  } catch {
    throw new InvalidOptionsError("openai.baseUrl must be an absolute URL");
  }
  if (!options.model) throw new InvalidOptionsError("openai.model is required");
  const timeoutMs = options.timeoutMs ?? DEFAULT_OPENAI_TIMEOUT_MS;
  const fetchImpl = options.fetch ?? fetch;

  return {
    name: "openai",
    async run(request, context) {
      const model = request.options?.model ?? options.model;
      context.progress(`Asking ${model}`);
      const body: Record<string, unknown> = { model, messages: chatMessages(request) };
      if (request.options?.reasoningEffort) {
        body.reasoning_effort = request.options.reasoningEffort;
      }

      const timeout = AbortSignal.timeout(timeoutMs);
      let response: Response;
      let text: string;
      try {
        response = await fetchImpl(endpoint, {
          method: "POST",
          headers: options.apiKey
            ? { authorization: `Bearer ${options.apiKey}`, "content-type": "application/json" }
            : { "content-type": "application/json" },
          body: JSON.stringify(body),
          signal: AbortSignal.any([context.signal, timeout]),
        });
        ({ text } = await readResponseText(response, MAX_OPENAI_RESPONSE_BYTES));
      } catch (error) {
        if (context.signal.aborted) throw error;
        if (timeout.aborted) {
          throw fail(
            {
              code: "model_timeout",
              message: "The model did not answer in time.",
              retryable: true,
            },
            error,
          );
        }
        throw fail(
          {
            code: "model_unreachable",
            message: "The model service could not be reached.",
            retryable: true,
          },
          error,
        );
      }

      if (!response.ok) throw fail(failureForStatus(response.status), statusCause(response, text));
      const parsed = parseCompletion(text);
      if (!parsed.ok) {
        throw fail(
          {
            code: "model_bad_response",
            message: "The model service sent an answer that could not be read.",
            retryable: true,
          },
          new Error(parsed.reason),
        );
      }
      return { text: parsed.text };
    },
  };
}

/** Preamble as the system message, then the thread, then the prompt as the last user message. */
export function chatMessages(request: ExecutorRequest): ChatMessage[] {
  const messages: ChatMessage[] = [];
  const { preamble, history } = request.context;
  if (preamble) messages.push({ role: "system", content: preamble });
  for (const entry of history) {
    if (entry.text.trim() === "") continue;
    // Several people share a thread: keep who said what.
    const content =
      entry.role === "user" && entry.author ? `${entry.author}: ${entry.text}` : entry.text;
    messages.push({ role: entry.role, content });
  }
  const prompt =
    request.prompt.trim() === "" ? "(The user mentioned you without a message.)" : request.prompt;
  messages.push({ role: "user", content: prompt });
  return messages;
}

function parseCompletion(text: string): { ok: true; text: string } | { ok: false; reason: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, reason: "response is not JSON" };
  }
  const result = ChatCompletionSchema.safeParse(json);
  if (!result.success) return { ok: false, reason: "response has no choices[0].message" };
  const content = result.data.choices[0]?.message.content ?? "";
  if (content.trim() === "") return { ok: false, reason: "response content is empty" };
  return { ok: true, text: content };
}

export function failureForStatus(status: number): ExecutionFailure {
  if (status === 401 || status === 403) {
    return {
      code: "model_auth_failed",
      message: "The agent is not authorised to use the model service.",
      retryable: false,
    };
  }
  if (status === 404) {
    return {
      code: "model_not_found",
      message: "The model service does not know the requested model.",
      retryable: false,
    };
  }
  if (status === 408 || status === 504) {
    return { code: "model_timeout", message: "The model did not answer in time.", retryable: true };
  }
  if (status === 429) {
    return {
      code: "model_rate_limited",
      message: "The model service is busy right now. Try again in a little while.",
      retryable: true,
    };
  }
  if (status >= 500) {
    return {
      code: "model_unavailable",
      message: "The model service is unavailable right now.",
      retryable: true,
    };
  }
  return {
    code: "model_rejected_request",
    message: "The model service refused the request (it may be too long).",
    retryable: false,
  };
}

function statusCause(response: Response, text: string): Error {
  return new Error(`HTTP ${response.status} from the model service: ${text.slice(0, 500)}`);
}

function fail(failure: ExecutionFailure, cause: unknown): ExecutionError {
  return new ExecutionError(failure, { cause });
}
