import type { StateAdapter } from "chat";

/** A key nobody writes: reading it proves the backend answers. */
const HEALTH_PROBE_KEY = "baton:health-probe";
/** Seconds a caller (Slack, an agent, a scheduler) waits before retrying. */
const STORE_RETRY_AFTER_SECONDS = "1";

/** One read of a key nobody writes; throws when the backend does not answer. */
export async function probeState(state: StateAdapter): Promise<void> {
  await state.get(HEALTH_PROBE_KEY);
}

/** The answer when the store cannot be reached: 503, so the caller retries and nothing is lost. */
export function storeUnavailable(): Response {
  return Response.json(
    { error: { code: "store_unavailable" } },
    { status: 503, headers: { "retry-after": STORE_RETRY_AFTER_SECONDS } },
  );
}
