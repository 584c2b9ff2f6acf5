import { StateUnavailableError } from "@baton/core";
import { logStoreUnavailable } from "../../../http/error-response";
import { withBaton } from "../../../http/with-baton";
import { probeState } from "../../../state/store-probe";

/**
 * Liveness (the process answers) and readiness (the state backend answers). A backend that does
 * not answer is an expected outcome here, not an error: 503 with what was measured. Anything
 * else goes through the one error funnel.
 */
export async function GET() {
  const started = performance.now();
  return withBaton({ component: "health" }, async (baton) => {
    try {
      await probeState(baton.backend.state);
    } catch (error) {
      if (!(error instanceof StateUnavailableError)) throw error;
      logStoreUnavailable("health", error);
      return Response.json(
        {
          ok: false,
          state: { backend: baton.backend.name, ok: false, latencyMs: elapsed(started) },
        },
        { status: 503 },
      );
    }
    return Response.json({
      ok: true,
      state: { backend: baton.backend.name, ok: true, latencyMs: elapsed(started) },
    });
  });
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 100) / 100;
}
