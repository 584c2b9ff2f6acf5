import { env } from "../../../../env";
import { bearerMatches } from "../../../../http/bearer-token";
import { withBaton } from "../../../../http/with-baton";

/**
 * Runs one deadline sweep for an external scheduler. POST with `Authorization: Bearer
 * <BATON_SWEEP_TOKEN>` (any cron), or GET with `Authorization: Bearer <CRON_SECRET>` (Vercel
 * Cron's convention: it sends GET with that header). Off (404) unless one is set. Instances also
 * sweep on their own interval; the sweeper's lock makes concurrent calls answer `busy`.
 */
export function POST(request: Request) {
  return sweep(request, env().BATON_SWEEP_TOKEN);
}

export function GET(request: Request) {
  return sweep(request, env().CRON_SECRET);
}

async function sweep(request: Request, token: string | undefined): Promise<Response> {
  if (!token) return Response.json({ error: { code: "not_found" } }, { status: 404 });
  if (!bearerMatches(request.headers.get("authorization"), token)) {
    return Response.json({ error: { code: "unauthorized" } }, { status: 401 });
  }
  return withBaton({ component: "sweeper" }, async (baton) =>
    Response.json(await baton.flows.sweep()),
  );
}
