import { env } from "../../../../env";
import { bearerMatches } from "../../../../http/bearer-token";
import { withBaton } from "../../../../http/with-baton";

/**
 * Runs one deadline sweep for an external scheduler (cron). Off unless BATON_SWEEP_TOKEN is set;
 * requires `Authorization: Bearer <token>`. Instances also sweep on their own interval; the
 * sweeper's lock makes concurrent calls answer `busy` instead of sweeping twice.
 */
export async function POST(request: Request) {
  const token = env().BATON_SWEEP_TOKEN;
  if (!token) return Response.json({ error: { code: "not_found" } }, { status: 404 });
  if (!bearerMatches(request.headers.get("authorization"), token)) {
    return Response.json({ error: { code: "unauthorized" } }, { status: 401 });
  }
  return withBaton({ component: "sweeper" }, async (baton) =>
    Response.json(await baton.flows.sweep()),
  );
}
