import type { IncomingMessage, ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import type { Recorder } from "../recorder";
import { agentSessionMethods } from "./agent-session-methods";
import { type ApiRequest, parseApiRequest, SlackApiFailure } from "./api-request";
import { chatMethods } from "./chat-methods";
import { conversationMethods } from "./conversation-methods";
import type { FaultInjector, FaultResponse } from "./fault-injector";
import { fileMethods } from "./file-methods";
import type { MethodContext, MethodHandler } from "./method-context";
import { streamMethods } from "./stream-methods";
import { workspaceMethods } from "./workspace-methods";

/** Serves `/api/{method}`: decode, authenticate, inject faults, run, record. */

const METHODS: Record<string, MethodHandler> = {
  ...agentSessionMethods,
  ...workspaceMethods,
  ...chatMethods,
  ...streamMethods,
  ...conversationMethods,
  ...fileMethods,
};

/** Answered without a bot token: the app's client id and secret stand in for it. */
const OAUTH_ACCESS_METHOD = "oauth.v2.access";

export const EMULATED_METHODS = [...Object.keys(METHODS), OAUTH_ACCESS_METHOD].sort();

const BOT_SCOPES =
  "app_mentions:read,channels:history,channels:read,chat:write,groups:history,im:history," +
  "im:read,im:write,reactions:read,reactions:write,users:read,users:read.email,assistant:write," +
  "files:read,files:write";

/** A token's workspace, or the error Slack answers for it. */
export type ApiAuthorization =
  | { kind: "ok"; ctx: MethodContext; teamId: string }
  | { kind: "refused"; error: "invalid_auth" | "token_revoked" };

export interface ApiRouterOptions {
  /** Each workspace answers with its own context: its channels, users and bot. */
  authorize(token: string): ApiAuthorization;
  /** `oauth.v2.access`, called with client credentials instead of a token. */
  oauthAccess(params: Record<string, unknown>): Record<string, unknown>;
  faults: FaultInjector;
  recorder: Recorder;
  now: () => number;
}

interface Outcome {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
  faulted: boolean;
}

export function createApiRouter(options: ApiRouterOptions) {
  const { faults, recorder } = options;

  function run(
    handler: MethodHandler,
    params: Record<string, unknown>,
    ctx: MethodContext,
  ): Outcome {
    try {
      const body = { ok: true, ...handler(params, ctx) };
      return { status: 200, headers: {}, body, faulted: false };
    } catch (error) {
      if (error instanceof SlackApiFailure) {
        return {
          status: 200,
          headers: {},
          body: { ok: false, error: error.slackError },
          faulted: false,
        };
      }
      const detail = error instanceof Error ? error.message : String(error);
      return {
        status: 500,
        headers: {},
        body: { ok: false, error: "fatal_error", detail },
        faulted: false,
      };
    }
  }

  async function answer(
    method: string,
    request: ApiRequest,
    auth: ApiAuthorization | undefined,
  ): Promise<Outcome> {
    const handler = METHODS[method];
    const plain = (body: Record<string, unknown>): Outcome => ({
      status: 200,
      headers: {},
      body,
      faulted: false,
    });
    if (method === OAUTH_ACCESS_METHOD) return plain(options.oauthAccess(request.params));
    if (!handler) return plain({ ok: false, error: "unknown_method", req_method: method });
    if (!auth) return plain({ ok: false, error: "not_authed" });
    if (auth.kind === "refused") return plain({ ok: false, error: auth.error });
    const { ctx } = auth;
    const fault: FaultResponse | undefined = faults.take(method);
    if (!fault) return run(handler, request.params, ctx);
    if (fault.delayMs > 0) await sleep(fault.delayMs);
    if (fault.body.error === "") return run(handler, request.params, ctx);
    if (fault.takesEffect) run(handler, request.params, ctx);
    return { status: fault.status, headers: fault.headers, body: fault.body, faulted: true };
  }

  return async function handleApi(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    body: string,
  ): Promise<void> {
    const method = decodeURIComponent(url.pathname.slice("/api/".length));
    const parsed = parseApiRequest(req.method ?? "GET", url, req.headers, body);
    const request: ApiRequest =
      parsed.kind === "ok" ? parsed.request : { params: {}, tokenSource: "none", encoding: "none" };
    const auth = request.token ? options.authorize(request.token) : undefined;
    const outcome =
      parsed.kind === "ok"
        ? await answer(method, request, auth)
        : { status: 200, headers: {}, body: { ok: false, error: parsed.error }, faulted: false };
    recorder.recordCall({
      method,
      params: request.params,
      encoding: request.encoding,
      tokenSource: request.tokenSource,
      ...(request.token ? { token: request.token } : {}),
      ...(auth?.kind === "ok" ? { teamId: auth.teamId } : {}),
      time: options.now(),
      status: outcome.status,
      ok: outcome.body.ok === true,
      error: typeof outcome.body.error === "string" ? outcome.body.error : undefined,
      faulted: outcome.faulted,
      response: outcome.body,
    });
    res.writeHead(outcome.status, {
      "content-type": "application/json; charset=utf-8",
      "x-oauth-scopes": BOT_SCOPES,
      ...outcome.headers,
    });
    res.end(JSON.stringify(outcome.body));
  };
}
