import { env } from "../../../../env";

/**
 * The benchmark's baseline: a POST route of the same build that reads its body and answers JSON,
 * and nothing else. Off unless BATON_BENCH_ROUTES=1.
 */
export async function POST(request: Request) {
  if (env().BATON_BENCH_ROUTES !== "1") {
    return Response.json({ error: { code: "not_found" } }, { status: 404 });
  }
  const body = await request.text();
  return Response.json({ ok: true, bytes: body.length });
}
