import { machineBusyCpuMs } from "./process-cpu";

/** Below this many busy cores (everything on the machine, ours idle between runs) it is quiet. */
const QUIET_CORES = 0.3;
const SAMPLE_WINDOW_MS = 500;

/** Waiting for other work (a test run, a build) to end, shared by every run of one benchmark. */
export interface QuietWait {
  /** Waits until the machine is quiet or the budget is spent; returns the busy cores last seen. */
  untilQuiet(): Promise<number>;
  /** Milliseconds waited so far. */
  waitedMs(): number;
}

export function createQuietWait(budgetMs: number): QuietWait {
  let waited = 0;
  return {
    async untilQuiet() {
      for (;;) {
        const before = machineBusyCpuMs();
        await new Promise((resolve) => setTimeout(resolve, SAMPLE_WINDOW_MS));
        const cores = (machineBusyCpuMs() - before) / SAMPLE_WINDOW_MS;
        if (cores < QUIET_CORES || waited >= budgetMs) return cores;
        waited += SAMPLE_WINDOW_MS;
      }
    },
    waitedMs: () => waited,
  };
}
