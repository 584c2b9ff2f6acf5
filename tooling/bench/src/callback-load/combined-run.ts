import type { MeasuredRun } from "./measured-run";

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

/** Per-request figures of the parts, weighted by how many requests each answered. */
function weighted(parts: readonly MeasuredRun[], pick: (run: MeasuredRun) => number | undefined) {
  const requests = parts.reduce((sum, run) => sum + run.requests, 0);
  const total = parts.reduce((sum, run) => sum + (pick(run) ?? 0) * run.requests, 0);
  return total / Math.max(1, requests);
}

function mergedRecords(
  parts: readonly MeasuredRun[],
  pick: (run: MeasuredRun) => Record<string, number> | undefined,
  weight: (run: MeasuredRun) => number,
): Record<string, number> {
  const names = new Set(parts.flatMap((run) => Object.keys(pick(run) ?? {})));
  const totalWeight = parts.reduce((sum, run) => sum + weight(run), 0);
  return Object.fromEntries(
    [...names].map((name) => [
      name,
      round(
        parts.reduce((sum, run) => sum + (pick(run)?.[name] ?? 0) * weight(run), 0) /
          Math.max(1e-9, totalWeight),
        3,
      ),
    ]),
  );
}

/**
 * One route's runs at one level, measured in parts (interleaved with another route's, A B B A,
 * so a machine that slows or speeds up during the level weighs on both alike), as one run:
 * requests and time add up; CPU per request is weighted by requests, cores by time; p50 is the
 * requests-weighted mean of the parts' and p99 the higher part's (percentiles do not add up).
 */
export function combinedRun(parts: readonly MeasuredRun[]): MeasuredRun {
  const [first] = parts;
  if (!first) throw new Error("combinedRun needs at least one run");
  const requests = parts.reduce((sum, run) => sum + run.requests, 0);
  const durationS = parts.reduce((sum, run) => sum + run.durationS, 0);
  const statusCounts: Record<string, number> = {};
  for (const run of parts) {
    for (const [status, count] of Object.entries(run.statusCounts)) {
      statusCounts[status] = (statusCounts[status] ?? 0) + count;
    }
  }
  const redisParts = parts.filter((run) => run.redisCommandsPerRequest);
  return {
    route: first.route,
    connections: first.connections,
    requests,
    durationS,
    rps: requests / Math.max(1e-9, durationS),
    p50Ms: weighted(parts, (run) => run.p50Ms),
    p99Ms: Math.max(...parts.map((run) => run.p99Ms)),
    maxMs: Math.max(...parts.map((run) => run.maxMs)),
    statusCounts,
    non200: parts.reduce((sum, run) => sum + run.non200, 0),
    errors: parts.reduce((sum, run) => sum + run.errors, 0),
    timeouts: parts.reduce((sum, run) => sum + run.timeouts, 0),
    failureSamples: parts.flatMap((run) => run.failureSamples),
    busyCoresBefore: Math.max(...parts.map((run) => run.busyCoresBefore)),
    cpuMsPerRequest: mergedRecords(
      parts,
      (run) => run.cpuMsPerRequest,
      (run) => run.requests,
    ),
    coresBusy: mergedRecords(
      parts,
      (run) => run.coresBusy,
      (run) => run.durationS,
    ),
    ...(redisParts.length > 0
      ? {
          redisCommandsPerRequest: mergedRecords(
            redisParts,
            (run) => run.redisCommandsPerRequest,
            (run) => run.requests,
          ),
        }
      : {}),
  };
}
