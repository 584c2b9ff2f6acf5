import { withBaton } from "../../../../../http/with-baton";
import { OAUTH_STATE_COOKIE } from "../../../../../install/oauth-state";
import type { InstallOutcome } from "../../../../../install/slack-install-flow";
import { installPage } from "./install-page";

/**
 * Slack's redirect after an install: the state is checked, the code exchanged through the
 * adapter (oauth.v2.access), the installation stored sealed, and the person told in a page.
 */
export async function GET(request: Request) {
  return withBaton({ component: "slack-oauth-callback" }, async (baton) => {
    if (!baton.slackInstall) {
      return Response.json({ error: { code: "installs_not_configured" } }, { status: 404 });
    }
    const outcome: InstallOutcome = await baton.slackInstall.complete(request);
    return new Response(installPage(outcome), {
      status: outcome.kind === "installed" ? 200 : 400,
      headers: {
        "content-type": "text/html; charset=utf-8",
        "cache-control": "no-store",
        // The state cookie has done its work.
        "set-cookie": `${OAUTH_STATE_COOKIE}=; Path=/api/slack; Max-Age=0; HttpOnly; SameSite=Lax`,
      },
    });
  });
}
