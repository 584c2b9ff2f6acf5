import { StateUnavailableError } from "@baton/core";
import { getBaton } from "../../../baton";
import { env } from "../../../env";
import { logStoreUnavailable } from "../../../http/error-response";
import { probeState } from "../../../state/store-probe";
import { consoleReturnPath } from "../console-store";

/** The page reloads itself this often, and says so in Retry-After. */
const RETRY_AFTER_SECONDS = 5;

export const dynamic = "force-dynamic";

/**
 * The console while its store does not answer: 503 with Retry-After and a page that says so and
 * reloads itself; once the store answers again, back (303) to the console page the operator was
 * on. It shows nothing from the store, so it needs no session.
 */
export async function GET(request: Request) {
  if (!env().BATON_OPERATOR_TOKEN) {
    return Response.json({ error: { code: "not_found" } }, { status: 404 });
  }
  const back = consoleReturnPath(new URL(request.url).searchParams.get("from"));
  try {
    await probeState((await getBaton()).backend.state);
  } catch (error) {
    if (!(error instanceof StateUnavailableError)) throw error;
    logStoreUnavailable("console", error);
    return new Response(unavailablePage(back), {
      status: 503,
      headers: {
        "content-type": "text/html; charset=utf-8",
        "retry-after": String(RETRY_AFTER_SECONDS),
        "cache-control": "no-store",
      },
    });
  }
  return new Response(null, { status: 303, headers: { location: back } });
}

function unavailablePage(back: string): string {
  const retry = escapeHtml(`/console/unavailable?from=${encodeURIComponent(back)}`);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="refresh" content="${RETRY_AFTER_SECONDS}">
<title>Baton console: store unavailable</title>
</head>
<body style="font-family: system-ui, sans-serif; margin: 2rem">
<main class="console" id="store-unavailable">
<h1>Store unavailable</h1>
<p>The console cannot reach Baton's store right now, so it can neither show requests nor run actions
(an action confirmed just now may not have run: its request's timeline says so once the store is back).
Mentions and callbacks are answered 503 meanwhile, and Slack and the agent retry them.</p>
<p>This page tries again every ${RETRY_AFTER_SECONDS} seconds and goes back to
<code>${escapeHtml(back)}</code> once the store answers. <a href="${retry}">Try again now</a>.</p>
</main>
</body>
</html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
