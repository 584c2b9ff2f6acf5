/**
 * Baton's side of the callback, in miniature, for tests: a loopback server that verifies every
 * delivery with the protocol's verifier and answers with scripted statuses.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import {
  type Callback,
  type CallbackVerification,
  callbackRejectionStatus,
  createCallbackVerifier,
  isTerminalCallback,
} from "@baton/agent-protocol";
import { waitFor } from "./wait-for";

export const TEST_SERVER_SECRET = "agent-local-test-server-secret-0123456789abcdef";

export interface PlannedResponse {
  status: number;
  headers?: Record<string, string>;
}

export interface ReceivedAttempt {
  at: number;
  botRequestId: string;
  webhookId: string | undefined;
  timestamp: string | undefined;
  signature: string | undefined;
  body: string;
  verification: CallbackVerification;
  answered: number;
}

export interface CallbackReceiver {
  callbackUrl(botRequestId: string): string;
  signingSecret(botRequestId: string): string;
  /** The next answers for this request, in order; after them, `fallback` (default 200). */
  plan(botRequestId: string, responses: PlannedResponse[], fallback?: PlannedResponse): void;
  attempts(botRequestId: string): ReceivedAttempt[];
  /** Verified callbacks answered 2xx, one per webhook-id, in arrival order. */
  callbacks(botRequestId: string): Callback[];
  waitForTerminal(botRequestId: string, timeoutMs?: number): Promise<Callback>;
  stop(): Promise<void>;
}

export async function startCallbackReceiver(): Promise<CallbackReceiver> {
  const verifier = createCallbackVerifier({ serverSecrets: [TEST_SERVER_SECRET], now: Date.now });
  const received: ReceivedAttempt[] = [];
  const plans = new Map<string, { queue: PlannedResponse[]; fallback: PlannedResponse }>();

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const botRequestId = decodeURIComponent(request.url?.split("/").pop() ?? "");
      const body = Buffer.concat(chunks).toString("utf8");
      const verification = verifier.verify({ botRequestId, headers: request.headers, body });
      let answer: PlannedResponse = { status: 200 };
      if (!verification.ok) {
        answer = { status: callbackRejectionStatus(verification.code) };
      } else {
        const plan = plans.get(botRequestId);
        if (plan) answer = plan.queue.shift() ?? plan.fallback;
      }
      received.push({
        at: Date.now(),
        botRequestId,
        webhookId: request.headers["webhook-id"] as string | undefined,
        timestamp: request.headers["webhook-timestamp"] as string | undefined,
        signature: request.headers["webhook-signature"] as string | undefined,
        body,
        verification,
        answered: answer.status,
      });
      response.writeHead(answer.status, { "content-type": "application/json", ...answer.headers });
      response.end(
        answer.status < 300
          ? JSON.stringify({ ok: true })
          : JSON.stringify({ error: { code: verification.ok ? "scripted" : verification.code } }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const attempts = (botRequestId: string) =>
    received.filter((a) => a.botRequestId === botRequestId);
  const callbacks = (botRequestId: string) => {
    const seen = new Set<string>();
    const out: Callback[] = [];
    for (const attempt of attempts(botRequestId)) {
      if (!attempt.verification.ok || attempt.answered >= 300) continue;
      if (seen.has(attempt.verification.webhookId)) continue;
      seen.add(attempt.verification.webhookId);
      out.push(attempt.verification.callback);
    }
    return out;
  };

  return {
    callbackUrl: (botRequestId) => `${base}/callback/${botRequestId}`,
    signingSecret: (botRequestId) => verifier.issueSigningSecret(botRequestId),
    plan(botRequestId, responses, fallback = { status: 200 }) {
      plans.set(botRequestId, { queue: [...responses], fallback });
    },
    attempts,
    callbacks,
    async waitForTerminal(botRequestId, timeoutMs = 5_000) {
      return waitFor(
        () => callbacks(botRequestId).find(isTerminalCallback),
        timeoutMs,
        `a terminal callback for ${botRequestId}`,
      );
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
