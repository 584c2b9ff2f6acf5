import { withBaton } from "../../../../http/with-baton";

/**
 * "Add to Slack": sends the browser to Slack's authorize page with a signed state (and the
 * state's nonce in a cookie, so only this browser can complete the install).
 */
export async function GET() {
  return withBaton({ component: "slack-install" }, async (baton) => {
    if (!baton.slackInstall) {
      return Response.json({ error: { code: "installs_not_configured" } }, { status: 404 });
    }
    const { location, setCookie } = baton.slackInstall.begin();
    return new Response(null, {
      status: 302,
      headers: { location, "set-cookie": setCookie, "cache-control": "no-store" },
    });
  });
}
