import type { StateAdapter } from "chat";

/** A key nobody writes: reading it proves the backend answers. */
const HEALTH_PROBE_KEY = "baton:health-probe";

/** One read of a key nobody writes; throws when the backend does not answer. */
export async function probeState(state: StateAdapter): Promise<void> {
  await state.get(HEALTH_PROBE_KEY);
}
