import { env } from "../../../../env";
import { bearerMatches } from "../../../../http/bearer-token";
import { processTelemetry } from "../../../../observability/process-telemetry";

/**
 * Prometheus scrape endpoint. Off (404, and no metric is kept) unless BATON_METRICS_TOKEN is
 * set; requires `Authorization: Bearer <token>` (Prometheus' `authorization` scrape setting).
 * Each instance serves its own counts: scrape every instance, sum in queries.
 */
export async function GET(request: Request) {
  const token = env().BATON_METRICS_TOKEN;
  if (!token) return Response.json({ error: { code: "not_found" } }, { status: 404 });
  if (!bearerMatches(request.headers.get("authorization"), token)) {
    return Response.json({ error: { code: "unauthorized" } }, { status: 401 });
  }
  const text = (await processTelemetry().scrape()) ?? "";
  return new Response(text, {
    headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" },
  });
}
