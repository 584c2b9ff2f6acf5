import type { IdentityStore } from "@baton/core";
import type { Logger } from "chat";

type SlackWebhook = (request: Request, options?: never) => Promise<Response>;

/**
 * Slack's `app_uninstalled` event: the workspace removed the app, so Baton forgets who linked
 * an account there. The Chat SDK ignores the event, so the Slack webhook handler is wrapped: the
 * identities are removed before the SDK sees the delivery. It runs where every Slack delivery
 * runs, after the signature check and the webhook inbox, so a failure (the store down) leaves
 * the delivery recorded and the inbox drain runs it again. Used with the one bot token only: with
 * OAuth installs, `MultiWorkspaceSlackAdapter` removes the installation and identities itself.
 */
export function forgettingUninstalledWorkspaces<H extends SlackWebhook>(
  handle: H,
  identities: Pick<IdentityStore, "forgetWorkspaceIdentities">,
  logger: Logger,
): H {
  const wrapped = async (request: Request, options?: never) => {
    const workspaceId = uninstalledWorkspace(await request.clone().text());
    if (workspaceId) {
      const forgotten = await identities.forgetWorkspaceIdentities(workspaceId);
      logger.info("app uninstalled: linked identities removed", { workspaceId, forgotten });
    }
    return handle(request, options);
  };
  return wrapped as H;
}

/** The team of an `app_uninstalled` event callback; anything else (forms, other events): none. */
function uninstalledWorkspace(body: string): string | undefined {
  if (!body.includes("app_uninstalled")) return undefined;
  let payload: { type?: unknown; team_id?: unknown; event?: { type?: unknown } };
  try {
    payload = JSON.parse(body) as typeof payload;
  } catch {
    // Not JSON (an interactivity form): not an event, so not an uninstall.
    return undefined;
  }
  const isUninstall =
    payload.type === "event_callback" && payload.event?.type === "app_uninstalled";
  return isUninstall && typeof payload.team_id === "string" ? payload.team_id : undefined;
}
