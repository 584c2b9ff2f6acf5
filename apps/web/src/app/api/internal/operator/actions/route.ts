import {
  createOperatorAudit,
  isValidBotRequestId,
  OPERATOR_ACTIONS,
  type OperatorAction,
  runOperatorAction,
} from "@baton/core";
import { env } from "../../../../../env";
import { withBaton } from "../../../../../http/with-baton";
import { checkSession, sessionFromCookieHeader } from "../../../../console/operator-session";

/**
 * Runs one operator action confirmed in the console (the confirmation form repeats the request
 * id), then goes back to the request's page with the result. The session cookie is SameSite=
 * Strict, so a form on another site cannot post here as the operator.
 */
export async function POST(request: Request) {
  const token = env().BATON_OPERATOR_TOKEN;
  if (!token) return Response.json({ error: { code: "not_found" } }, { status: 404 });
  const session = checkSession(
    sessionFromCookieHeader(request.headers.get("cookie")),
    token,
    Date.now(),
  );
  if (!session.ok) return Response.json({ error: { code: "unauthorized" } }, { status: 401 });
  const form = await request.formData().catch(() => undefined);
  const action = form?.get("action");
  const botRequestId = form?.get("botRequestId");
  if (
    typeof action !== "string" ||
    !isOperatorAction(action) ||
    typeof botRequestId !== "string" ||
    !isValidBotRequestId(botRequestId)
  ) {
    return Response.json({ error: { code: "invalid_action" } }, { status: 400 });
  }
  if (form?.get("confirm") !== botRequestId) {
    return Response.json({ error: { code: "not_confirmed" } }, { status: 400 });
  }
  return withBaton({ component: "operator" }, async (baton) => {
    const deps = {
      ...baton.flows.deps,
      audit: createOperatorAudit(baton.backend.state, baton.logger.child("operator")),
    };
    const result = await runOperatorAction(deps, {
      action,
      botRequestId,
      actor: `console:${session.sessionId}`,
    });
    const location = `/console/request/${botRequestId}?result=${encodeURIComponent(`${action} ${result.kind}: ${result.code}`)}`;
    return new Response(null, { status: 303, headers: { location } });
  });
}

function isOperatorAction(value: string): value is OperatorAction {
  return (OPERATOR_ACTIONS as readonly string[]).includes(value);
}
