import {
  type DispatchRequest,
  type HistoryMessage,
  MAX_HISTORY_MESSAGES,
  MAX_HISTORY_TEXT_BYTES,
  MAX_PREAMBLE_BYTES,
  MAX_PROMPT_BYTES,
} from "@baton/agent-protocol";
import { jsonBytes, truncateToJsonBytes } from "./utf8-truncate";

/** Default dispatch budget: well under the protocol's 4 MiB cap and what agents accept. */
export const DEFAULT_MAX_PAYLOAD_BYTES = 1024 * 1024;

export interface TrimReport {
  beforeBytes: number;
  afterBytes: number;
  droppedMessages: number;
  truncatedMessages: number;
}

/**
 * Fits a dispatch into `maxBytes` of serialized UTF-8. Always kept: the preamble, the original
 * request (the first history entry) and the latest message (the prompt). Dropped first: the oldest
 * messages in between; the one where the budget runs out is truncated with a marker instead of
 * dropped whole. Only if that is not enough are the kept texts themselves truncated.
 */
export function fitDispatchToBudget(
  request: DispatchRequest,
  maxBytes: number,
): { request: DispatchRequest; report: TrimReport } {
  const beforeBytes = jsonBytes(request);
  const report: TrimReport = {
    beforeBytes,
    afterBytes: beforeBytes,
    droppedMessages: 0,
    truncatedMessages: 0,
  };
  const capped = capFields(request, report);
  let current = capped;
  let overflow = jsonBytes(current) - maxBytes;

  if (overflow > 0 && current.context.history.length > 1) {
    const [original, ...middle] = current.context.history;
    const kept = dropOldest(middle, overflow, report);
    current = withHistory(current, [...(original ? [original] : []), ...kept]);
    overflow = jsonBytes(current) - maxBytes;
  }
  // Still over: shorten what is always kept, the longer of the original request and the latest
  // message first, the preamble (the agent's instructions) last.
  const originalBytes = jsonBytes(current.context.history[0]?.text ?? "");
  const byLength =
    originalBytes >= jsonBytes(current.prompt)
      ? [shortenOriginal, shortenPrompt]
      : [shortenPrompt, shortenOriginal];
  for (const shorten of [...byLength, shortenPreamble]) {
    if (overflow <= 0) break;
    current = shorten(current, overflow, report);
    overflow = jsonBytes(current) - maxBytes;
  }
  report.afterBytes = jsonBytes(current);
  return { request: current, report };
}

/** Drops whole messages, oldest first, until `overflow` bytes are gone; cuts the last one short. */
function dropOldest(messages: HistoryMessage[], overflow: number, report: TrimReport) {
  let remaining = overflow;
  let index = 0;
  for (; index < messages.length && remaining > 0; index++) {
    const message = messages[index] as HistoryMessage;
    const size = jsonBytes(message) + 1; // + the separating comma
    if (size <= remaining || index === messages.length - 1) {
      remaining -= size;
      report.droppedMessages++;
      continue;
    }
    const text = truncateToJsonBytes(message.text, jsonBytes(message.text) - remaining);
    report.truncatedMessages++;
    return [{ ...message, text }, ...messages.slice(index + 1)];
  }
  return messages.slice(index);
}

function capFields(request: DispatchRequest, report: TrimReport): DispatchRequest {
  const cap = (text: string, limit: number) => {
    if (Buffer.byteLength(text, "utf8") <= limit) return text;
    report.truncatedMessages++;
    return truncateToJsonBytes(text, limit);
  };
  const history = request.context.history;
  const tooMany = Math.max(0, history.length - MAX_HISTORY_MESSAGES);
  report.droppedMessages += tooMany;
  const kept =
    tooMany > 0 ? [history[0] as HistoryMessage, ...history.slice(tooMany + 1)] : history;
  return {
    ...request,
    prompt: cap(request.prompt, MAX_PROMPT_BYTES),
    context: {
      ...request.context,
      ...(request.context.preamble !== undefined
        ? { preamble: cap(request.context.preamble, MAX_PREAMBLE_BYTES) }
        : {}),
      history: kept.map((m) => ({ ...m, text: cap(m.text, MAX_HISTORY_TEXT_BYTES) })),
    },
  };
}

function withHistory(request: DispatchRequest, history: HistoryMessage[]): DispatchRequest {
  return { ...request, context: { ...request.context, history } };
}

function shortenOriginal(request: DispatchRequest, overflow: number, report: TrimReport) {
  const [original, ...rest] = request.context.history;
  if (!original) return request;
  report.truncatedMessages++;
  const text = truncateToJsonBytes(original.text, Math.max(0, jsonBytes(original.text) - overflow));
  return withHistory(request, [{ ...original, text }, ...rest]);
}

function shortenPreamble(request: DispatchRequest, overflow: number, report: TrimReport) {
  const preamble = request.context.preamble;
  if (preamble === undefined) return request;
  report.truncatedMessages++;
  const text = truncateToJsonBytes(preamble, Math.max(0, jsonBytes(preamble) - overflow));
  return { ...request, context: { ...request.context, preamble: text } };
}

function shortenPrompt(request: DispatchRequest, overflow: number, report: TrimReport) {
  report.truncatedMessages++;
  const prompt = truncateToJsonBytes(
    request.prompt,
    Math.max(0, jsonBytes(request.prompt) - overflow),
  );
  return { ...request, prompt };
}
