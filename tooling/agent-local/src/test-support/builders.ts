/** Dispatch and cancel bodies for tests, and a tiny JSON client for the agent's endpoints. */
import type { CancelRequest, DispatchRequest, HistoryMessage } from "@baton/agent-protocol";
import type { CallbackReceiver } from "./callback-receiver";

let counter = 0;
/** A fresh botRequestId per call, so tests never share callback state. */
export function nextBotRequestId(label = "req"): string {
  counter += 1;
  return `${label}_${process.pid}_${counter}`;
}

export interface DispatchInput {
  botRequestId?: string;
  prompt?: string;
  sessionId?: string;
  history?: HistoryMessage[];
  preamble?: string;
  deadline?: string;
  model?: string;
}

export function dispatchRequest(
  receiver: CallbackReceiver,
  input: DispatchInput = {},
): DispatchRequest {
  const botRequestId = input.botRequestId ?? nextBotRequestId();
  return {
    protocolVersion: 1,
    botRequestId,
    prompt: input.prompt ?? "Why is the nightly build red?",
    context: {
      platform: "slack",
      threadId: "slack:C0123:1736942400.000100",
      channelId: "slack:C0123",
      ...(input.preamble === undefined ? {} : { preamble: input.preamble }),
      history: input.history ?? [
        { role: "user", author: "Ada", text: "The build broke again" },
        { role: "assistant", text: "Looking." },
      ],
    },
    callback: {
      url: receiver.callbackUrl(botRequestId),
      signingSecret: receiver.signingSecret(botRequestId),
    },
    ...(input.sessionId === undefined ? {} : { sessionId: input.sessionId }),
    ...(input.model === undefined ? {} : { options: { model: input.model } }),
    deadline: input.deadline ?? new Date(Date.now() + 60_000).toISOString(),
  };
}

export function cancelRequest(
  botRequestId: string,
  extra: Partial<CancelRequest> = {},
): CancelRequest {
  return { protocolVersion: 1, botRequestId, ...extra };
}

export interface JsonReply {
  status: number;
  headers: Headers;
  body: unknown;
}

export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<JsonReply> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text ? JSON.parse(text) : undefined,
  };
}
