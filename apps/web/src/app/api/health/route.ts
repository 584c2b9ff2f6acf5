import { StateUnavailableError } from "@baton/core";
import { logStoreUnavailable } from "../../../http/error-response";
import { withBaton } from "../../../http/with-baton";
import { rootLogger } from "../../../observability/process-telemetry";
import { probeState } from "../../../state/store-probe";
import { probeOperations } from "./operation-probe";

/**
 * Liveness (the process answers) and readiness (the state backend answers, and does what the
 * routes ask of it). A backend that does not answer is an expected outcome here, not an error:
 * 503 with what was measured. One that answers but fails a class of operation (writes refused,
 * values not read back) is 503 too, naming the operations, since the routes would fail the same
 * way. Anything else goes through the one error funnel.
 */
export async function GET() {
  const started = performance.now();
  return withBaton({ component: "health" }, async (baton) => {
    let failing: string[];
    try {
      await probeState(baton.backend.state);
      failing = await probeOperations(baton.backend.state);
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
    if (failing.length > 0) {
      rootLogger().warn({ event: "the store answers but fails", component: "health", failing });
      return Response.json(
        {
          ok: false,
          state: { backend: baton.backend.name, ok: true, failing, latencyMs: elapsed(started) },
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
