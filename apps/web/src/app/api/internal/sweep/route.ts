import { timingSafeEqual } from "node:crypto";
import { after } from "next/server";
import { getBaton } from "../../../../bot";
import { env } from "../../../../env";
import { flushReports, sentryReporter } from "../../../../lib/sentry-reporter";

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
  const baton = await getBaton();
  try {
    return Response.json(await baton.flows.sweep());
  } catch (error) {
    sentryReporter.report(error, {
      tags: { component: "sweeper", operation: "sweep", reason: "route" },
      context: {},
    });
    after(flushReports);
    return Response.json({ error: { code: "sweep_failed" } }, { status: 503 });
  }
}

function bearerMatches(header: string | null, token: string): boolean {
  const given = Buffer.from(header?.replace(/^Bearer /, "") ?? "");
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
