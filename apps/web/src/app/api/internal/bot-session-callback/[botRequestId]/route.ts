import { MAX_CALLBACK_BODY_BYTES } from "@baton/agent-protocol";
import { after } from "next/server";
import { withBaton } from "../../../../../http/with-baton";
import { inBackgroundScope } from "../../../../../observability/background-scope";
import { processTelemetry } from "../../../../../observability/process-telemetry";
import { flushReports, reportsPending } from "../../../../../observability/sentry-reporter";

interface RouteContext {
  params: Promise<{ botRequestId: string }>;
}

/** Longest id echoed into a log line: the id is the caller's input, not yet validated. */
const LOGGED_ID_MAX_CHARS = 128;

/** The agent's callback: a thin shell over core's callback flow. */
export async function POST(request: Request, context: RouteContext) {
  const { botRequestId } = await context.params;
  return processTelemetry().observeCallback(botRequestId, () => respond(request, botRequestId));
}

async function respond(request: Request, botRequestId: string): Promise<Response> {
  const telemetry = processTelemetry();
  const source = { component: "bot-session-callback", context: { botRequestId } };
  return withBaton(source, async (baton) => {
    // Bodies above the protocol's cap are refused before being read (and logged like every
    // other refused callback, so operators see them).
    const declared = Number(request.headers.get("content-length") ?? "0");
    if (declared > MAX_CALLBACK_BODY_BYTES) {
      baton.logger.warn("callback refused", {
        botRequestId: botRequestId.slice(0, LOGGED_ID_MAX_CHARS),
        status: 413,
        code: "body_too_large",
      });
      telemetry.callbackAnswered({ error: { code: "body_too_large" } });
      return Response.json({ error: { code: "body_too_large" } }, { status: 413 });
    }
    const answer = await baton.flows.handleCallback({
      botRequestId,
      headers: request.headers,
      body: await request.text(),
    });
    telemetry.callbackAnswered(answer.body);
    // The agent is answered now; the thread's next follow-up is dispatched after the response.
    // Reports made while handling (lost state, refused posts) must leave before the work ends.
    const { handOff } = answer;
    if (handOff || reportsPending()) {
      after(async () => {
        if (handOff) await inBackgroundScope("hand thread on", handOff);
        await flushReports();
      });
    }
    return Response.json(answer.body, { status: answer.status, headers: answer.headers });
  });
}

/** Any other method: 405 with the one allowed, logged as a refused callback. */
async function methodNotAllowed(request: Request, context: RouteContext) {
  const { botRequestId } = await context.params;
  return withBaton({ component: "bot-session-callback" }, async (baton) => {
    baton.logger.warn("callback refused", {
      botRequestId: botRequestId.slice(0, LOGGED_ID_MAX_CHARS),
      status: 405,
      code: "method_not_allowed",
      method: request.method,
    });
    return Response.json(
      { error: { code: "method_not_allowed" } },
      { status: 405, headers: { allow: "POST" } },
    );
  });
}

export {
  methodNotAllowed as DELETE,
  methodNotAllowed as GET,
  methodNotAllowed as PATCH,
  methodNotAllowed as PUT,
};
