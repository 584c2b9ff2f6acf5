/**
 * The reference agent: a node:http server speaking the agent side of the Baton protocol
 * (`POST /v1/dispatch`, `POST /v1/cancel`), working asynchronously and answering through signed
 * callbacks. Everything lives in memory; the handle exposes what tests need to see and steer.
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  ACCOUNT_LINK_PAGE_PATH,
  type AccountLinkOptions,
  handleAccountLinkPage,
} from "./account-link-page";
import type { AgentContext, CancelRecord, DispatchRecord } from "./agent-context";
import { createBearerCheck } from "./bearer-auth";
import type { DeliveryRecord } from "./callback-outbox";
import { handleCancel } from "./cancel-route";
import type { Sleep } from "./deliver-callback";
import { createDemoExecutor, type DemoExecutorOptions } from "./demo-executor";
import { createFaultQueue, type DispatchFault } from "./dispatch-faults";
import { serveDemoFile } from "./dispatch-files";
import { handleDispatch } from "./dispatch-route";
import { AlreadyStartedError } from "./errors";
import type { Executor } from "./executor";
import { sendError, sendJson } from "./http-io";
import { type Logger, silentLogger } from "./logger";
import { createOpenAiExecutor, type OpenAiExecutorOptions } from "./openai-executor";
import { type RetryPolicy, resolveRetryPolicy } from "./retry-policy";
import { createSessionStore, type SessionSummary } from "./session-store";
import { sleep as defaultSleep } from "./sleep";

export const DEFAULT_HOST = "127.0.0.1";
/** Finished requests remembered for idempotency before the oldest are forgotten. */
export const DEFAULT_MAX_REMEMBERED_REQUESTS = 10_000;
/** Entries kept in each test-hook list (dispatches, cancels, deliveries). */
export const DEFAULT_MAX_RECORDS = 1_000;
/**
 * At shutdown every execution is stopped and its deliveries abandoned at once; one still not
 * settled after this long (a request that ignored its abort) is logged and left behind.
 */
export const SHUTDOWN_SETTLE_TIMEOUT_MS = 10_000;

export interface LocalAgentOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  /** When set, Baton's calls must carry `Authorization: Bearer <authToken>`, else 401. */
  authToken?: string;
  /** A custom executor; wins over `openai` and `demo`. */
  executor?: Executor;
  /** Use an OpenAI-compatible chat-completions endpoint instead of the demo executor. */
  openai?: OpenAiExecutorOptions;
  demo?: DemoExecutorOptions;
  /** Callback delivery retries (see retry-policy.ts for the defaults). */
  retry?: Partial<RetryPolicy>;
  /** How long stop() waits for stopped work to settle (default SHUTDOWN_SETTLE_TIMEOUT_MS). */
  shutdownSettleTimeoutMs?: number;
  /** A follow-up for a session that is still running: refused with 409 `session_busy` unless true. */
  allowConcurrentSessionRuns?: boolean;
  maxRememberedRequests?: number;
  maxRecords?: number;
  logger?: Logger;
  now?: () => number;
  random?: () => number;
  generateId?: (prefix: "sess" | "exec") => string;
  /** The wait between delivery attempts. */
  sleep?: Sleep;
  /** Used for callback deliveries. */
  fetch?: typeof fetch;
  /** The account side of account linking (`/link`); absent: no such page. */
  accountLink?: AccountLinkOptions;
}

export interface LocalAgentHandle {
  /** Base URL, e.g. `http://127.0.0.1:41234` (Baton's agentUrl). */
  readonly url: string;
  readonly port: number;
  /** Closes the server and abandons running work and pending deliveries. Idempotent. */
  stop(): Promise<void>;
  /** Drops every session, so the next follow-up meets `session_not_found`. */
  forgetSessions(): void;
  sessions(): SessionSummary[];
  /** Every dispatch received, in order, whatever it was answered. */
  dispatches(): DispatchRecord[];
  cancels(): CancelRecord[];
  /** The outcome of every callback delivery (after its last attempt). */
  deliveries(): DeliveryRecord[];
  injectDispatchFault(fault: DispatchFault): void;
  /**
   * Ends an injected outage: every pending fault is dropped, so the next dispatch is handled.
   * Returns how many faulted answers were still pending.
   */
  clearDispatchFaults(): number;
  /** Settles once every execution so far has ended and its callbacks are done. */
  whenIdle(): Promise<void>;
}

export interface LocalAgent {
  start(): Promise<LocalAgentHandle>;
}

export function createLocalAgent(options: LocalAgentOptions = {}): LocalAgent {
  const executor =
    options.executor ??
    (options.openai ? createOpenAiExecutor(options.openai) : createDemoExecutor(options.demo));
  const logger = options.logger ?? silentLogger;
  const context: AgentContext = {
    executor,
    sessions: createSessionStore(),
    executions: new Map(),
    faults: createFaultQueue(),
    deps: {
      fetch: options.fetch ?? fetch,
      now: options.now ?? Date.now,
      random: options.random ?? Math.random,
      sleep: options.sleep ?? defaultSleep,
      logger,
      policy: resolveRetryPolicy(options.retry),
    },
    generateId:
      options.generateId ?? ((prefix) => `${prefix}_${randomBytes(12).toString("base64url")}`),
    allowConcurrentSessionRuns: options.allowConcurrentSessionRuns ?? false,
    maxRememberedRequests: options.maxRememberedRequests ?? DEFAULT_MAX_REMEMBERED_REQUESTS,
    maxRecords: options.maxRecords ?? DEFAULT_MAX_RECORDS,
    dispatches: [],
    cancels: [],
    deliveries: [],
    filesUrl: () => `${listeningUrl}/files`,
  };
  const isAuthorized = createBearerCheck(options.authToken);
  const settleTimeoutMs = options.shutdownSettleTimeoutMs ?? SHUTDOWN_SETTLE_TIMEOUT_MS;
  let started = false;
  let listeningUrl = "http://127.0.0.1";

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? "/", "http://agent.invalid").pathname;
    if (path === "/healthz" && (request.method === "GET" || request.method === "HEAD")) {
      return sendJson(response, 200, { ok: true, executor: executor.name });
    }
    if (path.startsWith("/files/") && request.method === "GET") {
      return serveDemoFile(path, response);
    }
    if (path === ACCOUNT_LINK_PAGE_PATH && options.accountLink) {
      const deps = { ...context.deps, options: options.accountLink };
      return handleAccountLinkPage(deps, request, response);
    }
    const handler =
      path === "/v1/dispatch" ? handleDispatch : path === "/v1/cancel" ? handleCancel : undefined;
    if (!handler) {
      request.resume();
      return sendError(response, 404, "not_found", `No route for ${path}`);
    }
    if (request.method !== "POST") {
      request.resume();
      return sendError(response, 405, "method_not_allowed", "Use POST", { allow: "POST" });
    }
    await handler(context, request, response, isAuthorized(request.headers.authorization));
  }

  return {
    async start() {
      if (started) throw new AlreadyStartedError();
      started = true;
      const server = createServer((request, response) => {
        route(request, response).catch((error: unknown) => {
          logger.error("request handler crashed", {
            path: request.url,
            error: error instanceof Error ? error.message : String(error),
          });
          if (!response.headersSent) sendError(response, 500, "internal_error", "Internal error");
          else response.destroy();
        });
      });
      const port = await listen(server, options.port ?? 0, options.host ?? DEFAULT_HOST);
      const host = options.host ?? DEFAULT_HOST;
      const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
      listeningUrl = url;
      logger.info("local agent listening", { url, executor: executor.name });

      let stopping: Promise<void> | undefined;
      const settledAll = () =>
        Promise.allSettled([...context.executions.values()].map((execution) => execution.settled));

      return {
        url,
        port,
        stop() {
          stopping ??= (async () => {
            const stopped = [...context.executions.values()];
            for (const execution of stopped) execution.shutdown();
            const closed = new Promise<void>((resolve) => server.close(() => resolve()));
            server.closeAllConnections();
            let timer: NodeJS.Timeout | undefined;
            const expired = new Promise<"expired">((resolve) => {
              timer = setTimeout(() => resolve("expired"), settleTimeoutMs);
            });
            const outcome = await Promise.race([Promise.all([closed, settledAll()]), expired]);
            clearTimeout(timer);
            if (outcome === "expired") {
              // A defect: stopped work must let go at once (a request that ignored its abort).
              logger.error("local agent stopped with work still settling", {
                url,
                afterMs: settleTimeoutMs,
                unsettled: stopped.filter((e) => !e.isSettled()).map((e) => e.botRequestId),
              });
            } else {
              logger.info("local agent stopped", { url });
            }
          })();
          return stopping;
        },
        forgetSessions: () => context.sessions.forgetAll(),
        sessions: () => context.sessions.summaries(),
        dispatches: () => context.dispatches.map((record) => ({ ...record })),
        cancels: () => context.cancels.map((record) => ({ ...record })),
        deliveries: () => context.deliveries.map((record) => ({ ...record })),
        injectDispatchFault: (fault) => context.faults.inject(fault),
        clearDispatchFaults: () => context.faults.clear(),
        async whenIdle() {
          // Loop: work started while waiting must be waited for too.
          for (;;) {
            const count = context.executions.size;
            await settledAll();
            if (context.executions.size === count) return;
          }
        },
      };
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
