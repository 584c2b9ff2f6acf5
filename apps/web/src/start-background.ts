import { getBaton } from "./baton";
import { rootLogger } from "./observability/process-telemetry";

/** How long an instance whose store did not answer at start-up waits before it tries again. */
const START_RETRY_MS = 5_000;

/**
 * Builds Baton when the server starts, not on its first request, so every instance sweeps
 * deadlines and drains the webhook inbox from start-up: one restarted into a quiet hour still
 * finalises the requests that expired meanwhile. A store that does not answer yet is tried
 * again until it does (each failure is one log line).
 */
export function startBackgroundWork(): void {
  const attempt = () => {
    getBaton().then(
      () =>
        rootLogger().info({
          event: "background work started",
          component: "startup",
          work: ["deadline sweeper", "webhook inbox drain"],
        }),
      (error: unknown) => {
        const code =
          error && typeof error === "object" && "code" in error ? String(error.code) : "error";
        rootLogger().warn({
          event: "background work not started",
          component: "startup",
          code,
          retryInMs: START_RETRY_MS,
        });
        setTimeout(attempt, START_RETRY_MS).unref();
      },
    );
  };
  attempt();
}
