import { fail, optionalString, requiredString } from "./api-request";
import { type MethodHandler, requireChannel } from "./method-context";

/**
 * Slack's agent session API as the Chat SDK calls it when a native stop button was clicked
 * (`agents.sessions.setStatus`, moving the session out of `processing`): the status is kept so
 * tests and the page can read it.
 */
const SESSION_STATUSES = ["processing", "active", "suspended", "closed"];

const setSessionStatus: MethodHandler = (params, ctx) => {
  const channel = requireChannel(ctx, params, "channel_id");
  const threadTs = requiredString(params, "thread_ts");
  const status = optionalString(params, "status") ?? "";
  if (!SESSION_STATUSES.includes(status)) fail("invalid_status");
  ctx.agentSessions.set(`${channel.id}:${threadTs}`, status);
  ctx.model.changed();
  return {};
};

export const agentSessionMethods: Record<string, MethodHandler> = {
  "agents.sessions.setStatus": setSessionStatus,
};
