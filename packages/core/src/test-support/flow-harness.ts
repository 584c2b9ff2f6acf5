import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  createLocalAgent,
  type LocalAgentHandle,
  type LocalAgentOptions,
} from "@baton/agent-local";
import {
  createCallbackSigner,
  createCallbackVerifier,
  deriveRequestSecret,
  PROTOCOL_VERSION,
} from "@baton/agent-protocol";
import type { EmulatorFile, SlackEmulator, SlackEmulatorOptions } from "@baton/slack-emulator";
import { createFixtureSlackEmulator, createSlackTestBot, FIXTURE_WORKSPACE } from "@baton/testing";
import { createMemoryState } from "@chat-adapter/state-memory";
import { type Chat, ConsoleLogger, type Logger, type StateAdapter } from "chat";
import type { ThreadMessageOutcome } from "../baton-flows";
import { type BatonFlows, type BatonFlowsOptions, createBatonFlows } from "../baton-flows";
import { createAgentClient } from "../dispatch/agent-client";
import { serveRequestFile } from "../dispatch/request-file-server";
import { StateUnavailableError } from "../errors";
import type { MessageHooks } from "../mention/handle-message";
import type { ResultActionOutcome } from "../mention/result-actions";
import { createApiOriginFileTransport } from "../platform/api-origin-file-transport";
import { createRecordingReporter } from "../ports";
import type { BotRequestRecord } from "../request/bot-request-record";

export const HARNESS_SERVER_SECRET = "harness-server-secret-0123456789abcdef0123";

/**
 * The reference agents of the running harnesses. A callback a test sends in the agent's place
 * names the execution the agent accepted the request with, as the real agent's would (Baton
 * refuses a terminal callback from another execution), unless the test names one itself.
 */
const runningAgents = new Set<LocalAgentHandle>();

function acceptedExecutionId(botRequestId: string): string | undefined {
  for (const agent of runningAgents) {
    const accepted = agent
      .dispatches()
      .findLast((d) => d.botRequestId === botRequestId && d.executionId !== undefined);
    if (accepted?.executionId) return accepted.executionId;
  }
  return undefined;
}

export interface FlowHarness {
  chat: Chat;
  slack: SlackEmulator;
  agent: LocalAgentHandle;
  flows: BatonFlows;
  state: StateAdapter;
  reporter: ReturnType<typeof createRecordingReporter>;
  outcomes: ThreadMessageOutcome[];
  /** What each button click came to, in the order they were handled. */
  actions: ResultActionOutcome[];
  callbackBaseUrl: string;
  /** Resolves with the request's record once it reaches a final status. */
  finalRecord(botRequestId: string): Promise<BotRequestRecord>;
  /**
   * A user mentions the bot in the fixture channel (or `from`'s channel, as `from`'s user);
   * resolves once the mention is handled.
   */
  mention(
    text: string,
    files?: EmulatorFile[],
    from?: MessageSender,
  ): Promise<{ ts: string; outcome: ThreadMessageOutcome }>;
  /** A user replies in a thread; resolves once the reply is handled. */
  reply(
    threadTs: string,
    text: string,
    files?: EmulatorFile[],
    from?: MessageSender,
  ): Promise<{ ts: string; outcome: ThreadMessageOutcome }>;
  /** Waits for every webhook's deferred work. */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

/** Who sends a harness message, and where; defaults: the fixture human in the fixture channel. */
export interface MessageSender {
  channel?: string;
  user?: string;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function headersOf(req: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === "string") headers.set(name, value);
  }
  return headers;
}

/**
 * Baton's flows in one process, with everything else real over loopback HTTP: the Slack emulator,
 * the reference agent, a webhook + callback server playing the Next routes, the real Chat SDK.
 */
export async function startFlowHarness(
  options: {
    agent?: LocalAgentOptions;
    state?: StateAdapter;
    logger?: Logger;
    /** Per-call Slack Web API timeout. */
    slackTimeoutMs?: number;
    /** Baton's clock (records, deadlines, sweeps); the agent and Slack keep real time. */
    now?: () => number;
    /** Passed to every message handler (e.g. to stop one half-way, as a crash would). */
    hooks?: MessageHooks;
    /** More users and channels, or other emulator settings. */
    slack?: Partial<SlackEmulatorOptions>;
    /** Access lists, a router (built with the harness's agent client at hand). */
    flows?: (
      agent: LocalAgentHandle,
    ) => Pick<BatonFlowsOptions, "access" | "router" | "preamble" | "linking">;
  } = {},
): Promise<FlowHarness> {
  const state = options.state ?? createMemoryState();
  await state.connect();
  const slack = createFixtureSlackEmulator(options.slack);
  await slack.start();
  const agent = await createLocalAgent({
    demo: { delayMs: 60, progressSteps: 2 },
    ...options.agent,
  }).start();
  runningAgents.add(agent);
  const reporter = createRecordingReporter();
  // Baton serialises a thread's requests itself; the SDK must not drop overlapping messages.
  const bot = createSlackTestBot({
    apiUrl: slack.apiUrl,
    fileTransport: createApiOriginFileTransport(slack.apiUrl),
    state,
    concurrency: "concurrent",
    ...(options.slackTimeoutMs ? { timeoutMs: options.slackTimeoutMs } : {}),
  });
  const pending = new Set<Promise<unknown>>();
  const track = (task: Promise<unknown>) => {
    const tracked: Promise<unknown> = task.finally(() => pending.delete(tracked));
    pending.add(tracked);
  };
  let flows: BatonFlows | undefined;

  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const body = await readBody(req);
    if (url.pathname === "/slack" && flows) {
      const response = await bot.chat.webhooks.slack(
        new Request(url, { method: "POST", headers: headersOf(req), body }),
        { waitUntil: track },
      );
      res.writeHead(response.status).end(await response.text());
      return;
    }
    const fileMatch = /^\/bot-request-files\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    if (fileMatch && flows) {
      // The app's file route, played here: core's file server answers, the body is the file.
      const answer = await serveRequestFile(flows.deps, {
        botRequestId: decodeURIComponent(fileMatch[1] ?? ""),
        fileRef: decodeURIComponent(fileMatch[2] ?? ""),
        authorization: req.headers.authorization ?? null,
      });
      if (answer.kind === "refused") {
        res.writeHead(answer.status, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { code: answer.code } }));
        return;
      }
      res.writeHead(200, {
        "content-type": answer.mimeType,
        ...(answer.size !== undefined ? { "content-length": String(answer.size) } : {}),
      });
      // Streamed as it comes; a failed stream destroys the response, so the reader sees an error.
      const reader = answer.body.getReader();
      try {
        for (let next = await reader.read(); !next.done; next = await reader.read()) {
          res.write(next.value);
        }
        res.end();
      } catch (error) {
        res.destroy(error instanceof Error ? error : undefined);
      }
      return;
    }
    const match = /^\/callback\/([^/]+)$/.exec(url.pathname);
    if (match && flows) {
      // Errors are answered the way the app's error funnel answers them (the store may also be
      // disconnected under a callback still arriving as a test stops).
      const answer = await flows
        .handleCallback({
          botRequestId: decodeURIComponent(match[1] ?? ""),
          headers: headersOf(req),
          body,
        })
        .catch((error: unknown) => ({
          status: error instanceof StateUnavailableError ? 503 : 500,
          body: {
            error: {
              code: error instanceof StateUnavailableError ? "store_unavailable" : "internal_error",
            },
          },
          headers: {},
          handOff: undefined,
        }));
      if (answer.handOff) track(answer.handOff());
      res.writeHead(answer.status, { "content-type": "application/json", ...answer.headers });
      res.end(JSON.stringify(answer.body));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  flows = createBatonFlows({
    state,
    chat: bot.chat,
    agent: createAgentClient({ baseUrl: agent.url }),
    verifier: createCallbackVerifier({ serverSecrets: [HARNESS_SERVER_SECRET], now: Date.now }),
    callbackBaseUrl: `${base}/callback`,
    reporter,
    logger: options.logger ?? new ConsoleLogger("error"),
    ...(options.now ? { now: options.now } : {}),
    ...options.flows?.(agent),
  });
  const outcomes: ThreadMessageOutcome[] = [];
  const handlers = flows;
  bot.chat.onNewMention(async (thread, message) => {
    outcomes.push(await handlers.onMention(thread, message, options.hooks));
  });
  bot.chat.onSubscribedMessage(async (thread, message) => {
    outcomes.push(await handlers.onFollowUp(thread, message, options.hooks));
  });
  const actions: ResultActionOutcome[] = [];
  bot.chat.onAction(async (event) => {
    actions.push(
      await handlers.onAction({
        actionId: event.actionId,
        value: event.value,
        userId: event.user.userId,
        threadId: event.threadId,
      }),
    );
  });
  bot.chat.onAgentSessionStopped(async (event) => {
    outcomes.push(await handlers.onAgentSessionStopped(event.threadId));
  });
  bot.chat.onReaction(async (event) => {
    if (event.added) outcomes.push(await handlers.onReaction(event.threadId, event.emoji.name));
  });
  await bot.chat.initialize();
  slack.setWebhookUrl(`${base}/slack`);

  return {
    chat: bot.chat,
    slack,
    agent,
    flows,
    state,
    reporter,
    outcomes,
    actions,
    callbackBaseUrl: `${base}/callback`,
    async mention(text, files, from) {
      const before = outcomes.length;
      const delivery = await slack.mention({
        channel: from?.channel ?? FIXTURE_WORKSPACE.channel.id,
        user: from?.user ?? FIXTURE_WORKSPACE.human.id,
        text,
        ...(files ? { files } : {}),
      });
      if (delivery.status !== 200) throw new Error(`webhook answered ${delivery.status}`);
      await Promise.all(pending);
      const outcome = outcomes[before];
      if (!outcome || !delivery.ts) throw new Error("the mention was not handled");
      return { ts: delivery.ts, outcome };
    },
    async reply(threadTs, text, files, from) {
      const before = outcomes.length;
      const delivery = await slack.message({
        channel: from?.channel ?? FIXTURE_WORKSPACE.channel.id,
        user: from?.user ?? FIXTURE_WORKSPACE.human.id,
        text,
        threadTs,
        ...(files ? { files } : {}),
      });
      if (delivery.status !== 200) throw new Error(`webhook answered ${delivery.status}`);
      await Promise.all(pending);
      const outcome = outcomes[before];
      if (!outcome || !delivery.ts) throw new Error("the reply was not handled");
      return { ts: delivery.ts, outcome };
    },
    settle: async () => {
      await Promise.all(pending);
    },
    finalRecord(botRequestId) {
      return slack.waitFor(async () => {
        const loaded = await handlers.deps.requests.get(botRequestId);
        return loaded.kind === "found" && loaded.record.finalizedAt !== undefined
          ? loaded.record
          : undefined;
      }, 15_000);
    },
    async stop() {
      runningAgents.delete(agent);
      await agent.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await slack.stop();
      await state.disconnect();
    },
  };
}

/** The bot request an outcome is about; fails the test when there is none. */
export function requestIdOf(outcome: ThreadMessageOutcome): string {
  if (!("botRequestId" in outcome)) throw new Error(`no bot request: ${outcome.kind}`);
  return outcome.botRequestId;
}

/** Options for a harness callback: its webhook id (default `msg_<botRequestId>`) and its age. */
export interface HarnessCallbackOptions {
  webhookId?: string;
  secondsAgo?: number;
}

/**
 * A callback for a request exactly as the agent would send it: a protocol body with the given
 * fields, signed with that request's derived secret, `secondsAgo` back in time. The headers hold
 * the content type and the signature.
 */
export function signedHarnessCallback(
  botRequestId: string,
  fields: Record<string, unknown> & { type: string },
  options: HarnessCallbackOptions = {},
): { body: string; headers: Record<string, string> } {
  const body = JSON.stringify({
    protocolVersion: PROTOCOL_VERSION,
    botRequestId,
    agentSessionId: "sess_test",
    executionId: acceptedExecutionId(botRequestId) ?? "exec_test",
    sequence: 1,
    sentAt: new Date().toISOString(),
    ...fields,
  });
  const signer = createCallbackSigner({
    signingSecret: deriveRequestSecret(HARNESS_SERVER_SECRET, botRequestId),
    now: () => Date.now() - (options.secondsAgo ?? 0) * 1000,
  });
  const headers = {
    "content-type": "application/json",
    ...signer.sign(options.webhookId ?? `msg_${botRequestId}`, body),
  };
  return { body, headers };
}

/** Posts `signedHarnessCallback(...)` to the harness's callback route. */
export function sendCallback(
  harness: FlowHarness,
  botRequestId: string,
  fields: Record<string, unknown> & { type: string },
  options: HarnessCallbackOptions = {},
): Promise<Response> {
  const { body, headers } = signedHarnessCallback(botRequestId, fields, options);
  return fetch(`${harness.callbackBaseUrl}/${botRequestId}`, { method: "POST", headers, body });
}

/** The test plays the agent's `completed` callback for a request; resolves with Baton's answer. */
export function completeByHand(
  harness: FlowHarness,
  botRequestId: string,
  text: string,
  options: HarnessCallbackOptions = {},
) {
  const { body, headers } = signedHarnessCallback(
    botRequestId,
    { type: "completed", sequence: 2, text },
    options,
  );
  return harness.flows.handleCallback({ botRequestId, headers, body });
}
