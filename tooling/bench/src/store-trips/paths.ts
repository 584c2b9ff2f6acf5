import {
  createCallbackSigner,
  createCallbackVerifier,
  deriveRequestSecret,
  PROTOCOL_VERSION,
} from "@baton/agent-protocol";
import { type AgentClient, createBatonFlows } from "@baton/core";
import {
  createFixtureSlackEmulator,
  createSlackTestBot,
  FIXTURE_WORKSPACE,
  parseMentionEnvelope,
  SAMPLE_MENTIONS,
} from "@baton/testing";
import { ConsoleLogger, type StateAdapter } from "chat";
import { slackWebhook } from "../slack-webhook";
import { countedState, createTripCounter, type TripCounter } from "./round-trips";

export const PATHS = [
  "sdk: webhook -> handler",
  "mention",
  "resume",
  "hand-on",
  "duplicate callback",
] as const;
export type PathName = (typeof PATHS)[number];

/** One path's figures: per request (the last request's counts; Baton's paths count the same for every one). */
export interface PathFigures {
  path: PathName;
  trips: number;
  calls: number;
  breakdown: string;
  wire?: { commands: number; trips: number; breakdown: string };
  /** The mention only: up to the moment the dispatch is sent to the agent. */
  toDispatch?: { trips: number; calls: number; wireTrips?: number; p50Ms: number; p99Ms: number };
  samples: number;
  p50Ms: number;
  p99Ms: number;
}

const SERVER_SECRET = "bench-server-secret-0123456789abcdef0123456789";

/**
 * Accepts every dispatch at once: the bench measures Baton and its store, not an agent. Tells
 * `onDispatch` the moment a dispatch is sent.
 */
function instantAgent(onDispatch: () => void): AgentClient {
  return {
    dispatch: async (request) => {
      onDispatch();
      return {
        kind: "accepted",
        value: {
          agentSessionId: `sess_${request.botRequestId}`,
          executionId: `exec_${request.botRequestId}`,
        },
        attempts: 1,
      };
    },
    cancel: async () => ({ kind: "accepted", value: { state: "cancelling" }, attempts: 1 }),
  };
}

function completedCallback(botRequestId: string): string {
  return JSON.stringify({
    protocolVersion: PROTOCOL_VERSION,
    type: "completed",
    botRequestId,
    agentSessionId: `sess_${botRequestId}`,
    executionId: `exec_${botRequestId}`,
    sequence: 1,
    sentAt: new Date().toISOString(),
    text: "Done: the build is green again. Run `pnpm install --frozen-lockfile` once — ✅",
  });
}

export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/**
 * Drives `requests` mentions and their callbacks through Baton's real flows on `inner`, counting
 * each path: at the StateAdapter, and on the wire when `wire` counts the client's commands.
 */
export async function runPaths(
  inner: StateAdapter,
  options: { requests: number; batches: boolean; wire?: TripCounter },
): Promise<PathFigures[]> {
  const sample = SAMPLE_MENTIONS.find((m) => m.name === "typical");
  if (!sample) throw new Error("no typical sample");
  const workspace = createFixtureSlackEmulator();
  await workspace.start();
  const counter = createTripCounter();
  const state = countedState(inner, counter, { batches: options.batches });
  const bot = createSlackTestBot({ apiUrl: workspace.apiUrl, state, concurrency: "concurrent" });
  // The SDK's part of a mention: what `chat` does with the webhook before Baton's handler runs.
  let handlerReached: (() => void) | undefined;
  bot.chat.onNewMention(async () => {
    handlerReached?.();
  });
  await bot.chat.initialize();
  let dispatchSent: (() => void) | undefined;
  const flows = createBatonFlows({
    state,
    chat: bot.chat,
    agent: instantAgent(() => dispatchSent?.()),
    verifier: createCallbackVerifier({ serverSecrets: [SERVER_SECRET], now: Date.now }),
    callbackBaseUrl: "http://127.0.0.1:3000/api/internal/bot-session-callback",
    reporter: { report: (error) => console.error(error) },
    logger: new ConsoleLogger("error"),
  });

  const seen = new Map<
    PathName,
    { first?: Omit<PathFigures, "samples" | "p50Ms" | "p99Ms">; ms: number[] }
  >(PATHS.map((p) => [p, { ms: [] }]));
  const toDispatch: { first?: NonNullable<PathFigures["toDispatch"]>; ms: number[] } = { ms: [] };
  const measure = async (path: PathName, work: () => Promise<void>) => {
    counter.reset();
    options.wire?.reset();
    const started = performance.now();
    dispatchSent = () => {
      toDispatch.ms.push(performance.now() - started);
      toDispatch.first = {
        trips: counter.trips,
        calls: sum(counter.calls),
        ...(options.wire ? { wireTrips: options.wire.trips } : {}),
        p50Ms: 0,
        p99Ms: 0,
      };
    };
    await work();
    dispatchSent = undefined;
    const entry = seen.get(path);
    if (!entry) return;
    entry.ms.push(performance.now() - started);
    // The last request's counts: warm caches (the SDK's user lookups), as in steady state.
    entry.first = {
      path,
      trips: counter.trips,
      calls: sum(counter.calls),
      breakdown: breakdown(counter.calls),
      ...(options.wire
        ? {
            wire: {
              commands: sum(options.wire.calls),
              trips: options.wire.trips,
              breakdown: breakdown(options.wire.calls),
            },
          }
        : {}),
    };
  };

  for (let i = 0; i < options.requests; i++) {
    const { envelope } = workspace.composeMention({
      channel: FIXTURE_WORKSPACE.channel.id,
      user: FIXTURE_WORKSPACE.human.id,
      ...sample.input,
    });
    // Counted up to the handler's first line; what the SDK does after it ends is not a mention's.
    const pending: Promise<unknown>[] = [];
    await measure("sdk: webhook -> handler", async () => {
      const reached = new Promise<void>((resolve) => {
        handlerReached = resolve;
      });
      const response = await bot.chat.webhooks.slack(slackWebhook(envelope), {
        waitUntil: (task) => pending.push(task),
      });
      if (response.status !== 200) throw new Error(`webhook: ${response.status}`);
      await reached;
      handlerReached = undefined;
    });
    await Promise.all(pending);
    const { message, thread } = parseMentionEnvelope(bot, envelope);
    let id = "";
    await measure("mention", async () => {
      const outcome = await flows.onMention(thread, message);
      if (outcome.kind !== "dispatched") throw new Error(`mention: ${outcome.kind}`);
      id = outcome.botRequestId;
    });
    const body = completedCallback(id);
    const deliver = (timestampShift: number) =>
      flows.handleCallback({
        botRequestId: id,
        headers: {
          "content-type": "application/json",
          ...createCallbackSigner({
            signingSecret: deriveRequestSecret(SERVER_SECRET, id),
            now: () => Date.now() - timestampShift,
          }).sign(`msg_${id}`, body),
        },
        body,
      });
    let handOff: (() => Promise<void>) | undefined;
    await measure("resume", async () => {
      const answer = await deliver(0);
      if (answer.body.outcome !== "posted")
        throw new Error(`resume of ${id}: ${JSON.stringify(answer.body)}`);
      handOff = answer.handOff;
    });
    await measure("hand-on", async () => {
      await handOff?.();
    });
    await measure("duplicate callback", async () => {
      const answer = await deliver(5_000);
      if (answer.body.outcome !== "duplicate")
        throw new Error(`duplicate of ${id}: ${JSON.stringify(answer.body)}`);
    });
  }
  await workspace.stop();

  const dispatchMs = [...toDispatch.ms].sort((a, b) => a - b);
  return PATHS.map((path) => {
    const entry = seen.get(path);
    const sorted = [...(entry?.ms ?? [])].sort((a, b) => a - b);
    return {
      ...(entry?.first ?? { path, trips: 0, calls: 0, breakdown: "" }),
      ...(path === "mention" && toDispatch.first
        ? {
            toDispatch: {
              ...toDispatch.first,
              p50Ms: percentile(dispatchMs, 50),
              p99Ms: percentile(dispatchMs, 99),
            },
          }
        : {}),
      samples: sorted.length,
      p50Ms: percentile(sorted, 50),
      p99Ms: percentile(sorted, 99),
    };
  });
}

function sum(calls: ReadonlyMap<string, number>): number {
  return [...calls.values()].reduce((a, b) => a + b, 0);
}

function breakdown(calls: ReadonlyMap<string, number>): string {
  return [...calls.entries()].map(([op, n]) => `${op}x${n}`).join(" ");
}
