import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { SlackEmulatorError } from "./errors";
import { type ClickDelivery, type ClickInput, createBlockActions } from "./events/block-actions";
import {
  createEventActions,
  type EventActions,
  type MentionDelivery,
} from "./events/event-actions";
import { createEventDeliverer } from "./events/event-delivery";
import { createFileStore } from "./files/file-store";
import { readBody } from "./http-body";
import { createIdSource } from "./model/id-source";
import { createTsClock } from "./model/ts-clock";
import { loadWorkspaceFile, saveWorkspaceOnChange } from "./model/workspace-file";
import { createWorkspaceModel } from "./model/workspace-model";
import { createPageRoutes } from "./page/page-routes";
import { createRecorder } from "./recorder";
import type {
  DeliverOptions,
  EmulatorMessage,
  EventDelivery,
  FaultSpec,
  RecordedApiCall,
  RetryReason,
  SlackEmulatorOptions,
} from "./types";
import { createApiRouter } from "./web-api/api-router";
import { createFaultInjector } from "./web-api/fault-injector";
import type { EphemeralMessage, MethodContext } from "./web-api/method-context";
import type { EmulatorWorkspace } from "./workspaces/emulated-workspace";
import { createWorkspaceSet } from "./workspaces/workspace-set";

export interface SlackEmulatorHandle {
  url: string;
  /** `${url}/api/`: the Slack adapter's `apiUrl`. */
  apiUrl: string;
  stop(): Promise<void>;
}

export interface SlackEmulator {
  start(): Promise<SlackEmulatorHandle>;
  stop(): Promise<void>;
  /** Base URL once started. */
  readonly url: string;
  readonly apiUrl: string;
  readonly signingSecret: string;
  readonly botUserId: string;
  readonly teamId: string;
  setWebhookUrl(url: string | undefined): void;
  /** The app's OAuth client id and secret (the `oauth` option, or emulator defaults). */
  readonly oauthClient: { clientId: string; clientSecret: string };
  /** A workspace by team id: the configured one or one of `workspaces`. */
  workspace(teamId: string): EmulatorWorkspace;
  /** Team ids installed through the emulated OAuth flow, one per code exchanged. */
  installs(): string[];

  mention: EventActions["mention"];
  composeMention: EventActions["composeMention"];
  composeMessage: EventActions["composeMessage"];
  message: EventActions["message"];
  reaction: EventActions["reaction"];
  /** A user clicks Slack's native stop button of the agent session in a thread. */
  stopAgentSession(input: {
    channel: string;
    threadTs: string;
    user: string;
  }): Promise<EventDelivery>;
  /** The agent session status Slack would show for a thread (agents.sessions.setStatus). */
  agentSessionStatus(channel: string, threadTs: string): string | undefined;
  /** A user clicks a button on a message: a signed `block_actions` interaction. */
  click(input: ClickInput): Promise<ClickDelivery>;
  sendEvent: EventActions["sendEvent"];
  /** Delivers a sent event again as a Slack retry (`x-slack-retry-num` + 1). */
  redeliver(
    event: string | { eventId: string },
    reason?: RetryReason,
    options?: DeliverOptions,
  ): Promise<EventDelivery>;

  /** Replies in a thread, oldest first, without the parent. */
  repliesIn(channel: string, threadTs: string): EmulatorMessage[];
  /** Top-level messages of a channel, oldest first. */
  channelMessages(channel: string): EmulatorMessage[];
  findMessage(channel: string, ts: string): EmulatorMessage | undefined;
  /** The assistant status ("is thinking…") shown in a thread, if any. */
  threadStatus(channel: string, threadTs: string): string | undefined;
  ephemerals(): EphemeralMessage[];

  calls(method?: string): RecordedApiCall[];
  deliveries(): EventDelivery[];
  clearRecords(): void;
  injectFault(method: string, fault: FaultSpec): void;
  clearFaults(): void;
  /** Resolves with the predicate's first truthy value; checks on every change and every 50 ms. */
  waitFor<T>(predicate: () => T | Promise<T>, timeoutMs?: number): Promise<NonNullable<T>>;
}

export type { MentionDelivery };

const DEFAULT_USERS = [{ id: "U0000000001", name: "alice", realName: "Alice Example" }];
const DEFAULT_CHANNELS = [{ id: "C0000000001", name: "general" }];

function validate(options: SlackEmulatorOptions): void {
  const missing = (["signingSecret", "botToken", "botUserId", "teamId"] as const).filter(
    (key) => !options[key],
  );
  if (missing.length > 0) {
    throw new SlackEmulatorError("INVALID_OPTIONS", `missing options: ${missing.join(", ")}`);
  }
  if (options.host !== undefined && options.host !== "127.0.0.1") {
    throw new SlackEmulatorError("INVALID_OPTIONS", "the emulator only listens on 127.0.0.1");
  }
}

export function createSlackEmulator(options: SlackEmulatorOptions): SlackEmulator {
  validate(options);
  const now = options.now ?? Date.now;
  const ids = createIdSource();
  const tsClock = createTsClock({ now });
  const botName = options.botName ?? "baton";
  const appId = options.appId ?? "A0EMULATOR1";
  const model = createWorkspaceModel({
    teamId: options.teamId,
    teamName: options.teamName ?? "Baton Emulator",
    bot: { userId: options.botUserId, botId: options.botId ?? "B0EMULATOR1", appId, name: botName },
    users: options.users ?? DEFAULT_USERS,
    channels: options.channels ?? DEFAULT_CHANNELS,
    now,
    tsClock,
    ids,
  });
  const saved = options.workspaceFile ? loadWorkspaceFile(options.workspaceFile) : undefined;
  if (saved) model.restore(saved);
  const saver = options.workspaceFile
    ? saveWorkspaceOnChange(options.workspaceFile, model)
    : undefined;
  const recorder = createRecorder();
  const faults = createFaultInjector();
  let baseUrl: string | undefined;
  const files = createFileStore({
    // Any installed workspace's bot token opens that workspace's files (the set is built below).
    teamOfToken: (token) => {
      const found = workspaces.authorize(token);
      return found.kind === "ok" ? found.teamId : undefined;
    },
    uploadBase: () => started(),
  });
  const ctx: MethodContext = {
    model,
    now,
    tsClock,
    streamExpiryMs: options.streamExpiryMs ?? 5 * 60_000,
    workspaceUrl: "http://127.0.0.1/",
    threadStatus: new Map(),
    agentSessions: new Map(),
    ephemerals: [],
    files,
  };
  let webhookUrl = options.webhookUrl;
  const deliverer = createEventDeliverer({
    signingSecret: options.signingSecret,
    now,
    timeoutMs: options.deliveryTimeoutMs ?? 3000,
    webhookUrl: () => webhookUrl,
    recorder,
    ...(options.retryDelaysMs ? { retryDelaysMs: options.retryDelaysMs } : {}),
  });
  const actions = createEventActions({
    model,
    ids,
    deliverer,
    appId,
    verificationToken: options.verificationToken ?? "emulator-verification-token",
    now,
    files,
  });
  const workspaces = createWorkspaceSet({
    primary: { model, ctx, actions },
    primaryToken: options.botToken,
    extras: options.workspaces ?? [],
    shared: {
      now,
      ids,
      tsClock,
      deliverer,
      files,
      appId,
      verificationToken: options.verificationToken ?? "emulator-verification-token",
      streamExpiryMs: ctx.streamExpiryMs,
      botName,
    },
    ...(options.oauth ? { oauth: options.oauth } : {}),
  });
  const handleApi = createApiRouter({
    authorize: workspaces.authorize,
    oauthAccess: workspaces.oauthAccess,
    faults,
    recorder,
    now,
  });
  const blockActions = createBlockActions({
    model,
    ids,
    appId,
    verificationToken: options.verificationToken ?? "emulator-verification-token",
    signingSecret: options.signingSecret,
    now,
    timeoutMs: options.deliveryTimeoutMs ?? 3000,
    webhookUrl: () => webhookUrl,
  });
  const stopAgentSession = (input: { channel: string; threadTs: string; user: string }) =>
    actions.sendEvent({
      type: "agent_session_stopped",
      channel: input.channel,
      thread_ts: input.threadTs,
      user: input.user,
      streaming_message_ts: [],
    });
  const page = createPageRoutes({
    model,
    threadStatus: ctx.threadStatus,
    actions,
    recorder,
    webhookConfigured: () => Boolean(webhookUrl),
    ephemerals: () => ctx.ephemerals,
    click: (input) => blockActions.click(input),
    stopAgentSession,
  });

  let server: Server | undefined;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    // File bytes are binary and read by the file store itself.
    if (await files.handle(req, res, url)) return;
    const body = await readBody(req);
    if (body === undefined) {
      res.writeHead(413).end();
      return;
    }
    if (url.pathname.startsWith("/api/")) return handleApi(req, res, url, body);
    if (workspaces.handleOAuth(req, res, url)) return;
    if (await page.handle(req, res, url, body)) return;
    res.writeHead(404, { "content-type": "text/plain" }).end("not found");
  }

  function started(): string {
    if (!baseUrl) throw new SlackEmulatorError("NOT_STARTED", "call start() first");
    return baseUrl;
  }

  async function stop(): Promise<void> {
    deliverer.stop();
    saver?.flush();
    const current = server;
    if (!current) return;
    server = undefined;
    baseUrl = undefined;
    await new Promise<void>((resolve) => {
      current.close(() => resolve());
      current.closeAllConnections();
    });
  }

  const view = (list: Parameters<typeof model.toView>[0][]) => list.map((m) => model.toView(m));

  return {
    async start() {
      if (server) throw new SlackEmulatorError("ALREADY_STARTED", "the emulator is running");
      const created = createServer((req, res) => {
        handle(req, res).catch((error: unknown) => {
          if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
          res.end(error instanceof Error ? error.message : "internal error");
        });
      });
      await new Promise<void>((resolve, reject) => {
        created.once("error", reject);
        created.listen(options.port ?? 0, "127.0.0.1", () => resolve());
      });
      server = created;
      const { port } = created.address() as AddressInfo;
      baseUrl = `http://127.0.0.1:${port}`;
      for (const each of workspaces.contexts()) each.workspaceUrl = `${baseUrl}/`;
      return { url: baseUrl, apiUrl: `${baseUrl}/api/`, stop };
    },
    stop,
    get url() {
      return started();
    },
    get apiUrl() {
      return `${started()}/api/`;
    },
    signingSecret: options.signingSecret,
    botUserId: options.botUserId,
    teamId: options.teamId,
    oauthClient: workspaces.credentials,
    workspace: workspaces.workspace,
    installs: workspaces.installs,
    setWebhookUrl(url) {
      webhookUrl = url;
    },
    mention: actions.mention,
    composeMention: actions.composeMention,
    composeMessage: actions.composeMessage,
    message: actions.message,
    reaction: actions.reaction,
    click: blockActions.click,
    stopAgentSession,
    agentSessionStatus: (channel, threadTs) => ctx.agentSessions.get(`${channel}:${threadTs}`),
    sendEvent: actions.sendEvent,
    redeliver(event, reason, deliver) {
      return deliverer.redeliver(
        typeof event === "string" ? event : event.eventId,
        reason,
        deliver,
      );
    },
    repliesIn(channel, threadTs) {
      const root = model.find(channel, threadTs);
      return root ? view(model.threadOf(root).filter((m) => m.parentTs)) : [];
    },
    channelMessages: (channel) => view(model.topLevel(channel)),
    findMessage(channel, ts) {
      const found = model.find(channel, ts);
      return found ? model.toView(found) : undefined;
    },
    threadStatus: (channel, threadTs) => ctx.threadStatus.get(`${channel}:${threadTs}`),
    ephemerals: () => [...ctx.ephemerals],
    calls: (method) => recorder.calls(method),
    deliveries: () => recorder.deliveries(),
    clearRecords: () => recorder.clear(),
    injectFault: (method, fault) => faults.inject(method, fault),
    clearFaults: () => faults.clear(),
    async waitFor(predicate, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const value = await predicate();
        if (value) return value as NonNullable<typeof value>;
        const remaining = deadline - Date.now();
        if (remaining <= 0) {
          throw new SlackEmulatorError("WAIT_TIMEOUT", `condition not met within ${timeoutMs} ms`);
        }
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            off();
            resolve();
          };
          const timer = setTimeout(done, Math.min(remaining, 50));
          const off = model.onChange(done);
        });
      }
    },
  };
}
