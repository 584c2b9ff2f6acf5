import { getBaton } from "../../../bot";
import { probeState } from "../../../lib/store-availability";

/** Liveness (the process answers) and readiness (the state backend answers). */
export async function GET() {
  const started = performance.now();
  try {
    const baton = await getBaton();
    await probeState(baton.backend.state);
    return Response.json({
      ok: true,
      state: { backend: baton.backend.name, ok: true, latencyMs: elapsed(started) },
    });
  } catch (error) {
    console.warn("[baton] health check: state backend not ready", error);
    return Response.json(
      { ok: false, state: { ok: false, latencyMs: elapsed(started) } },
      { status: 503 },
    );
  }
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 100) / 100;
}
