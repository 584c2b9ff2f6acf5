import type { BenchStack } from "./bench-stack";
import { type LoadOptions, type LoadResult, runLoad } from "./load-run";
import { machineBusyCpuMs, ownCpuMs, processTreeCpuMs } from "./process-cpu";
import type { QuietWait } from "./quiet-machine";
import { commandsPerRequest, redisCommandCalls } from "./redis-commandstats";

/** `post`: the bare route plus one Slack post through the adapter, the floor for posting in-request. */
export type RouteName = "bare" | "post" | "callback";

/** A load run plus where its CPU went and which store commands it caused. */
export interface MeasuredRun extends LoadResult {
  route: RouteName;
  /** CPU milliseconds per answered request, per process. */
  cpuMsPerRequest: Record<string, number>;
  /** CPU cores kept busy during the run, per process; "others" is everything not ours. */
  coresBusy: Record<string, number>;
  /** Busy cores on the machine just before the run (ours idle): above ~0.3 it was not quiet. */
  busyCoresBefore: number;
  /** Redis commands per answered request (Redis backend only). */
  redisCommandsPerRequest?: Record<string, number>;
}

function cpuSnapshot(stack: BenchStack): Record<string, number> {
  return {
    next: processTreeCpuMs(stack.server.pid),
    ...(stack.redis ? { redis: processTreeCpuMs(stack.redis.pid) } : {}),
    ...(stack.emulator.pid ? { emulator: processTreeCpuMs(stack.emulator.pid) } : {}),
    // With the emulator inline, its CPU is counted here.
    "load generator": ownCpuMs(),
  };
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

/** Runs one load level and accounts for the CPU and store commands it used. */
export async function measuredRun(
  stack: BenchStack,
  route: RouteName,
  options: Omit<LoadOptions, "baseUrl">,
  quiet: QuietWait,
): Promise<MeasuredRun> {
  const busyCoresBefore = await quiet.untilQuiet();
  const redisBefore = stack.redis
    ? await redisCommandCalls(stack.redis.host, stack.redis.port)
    : undefined;
  const cpuBefore = cpuSnapshot(stack);
  const machineBefore = machineBusyCpuMs();
  const result = await runLoad({ ...options, baseUrl: stack.server.url });
  const machineAfter = machineBusyCpuMs();
  const cpuAfter = cpuSnapshot(stack);
  const cpuMsPerRequest: Record<string, number> = {};
  const coresBusy: Record<string, number> = {};
  for (const [name, after] of Object.entries(cpuAfter)) {
    const used = after - (cpuBefore[name] ?? 0);
    cpuMsPerRequest[name] = round(used / Math.max(1, result.requests), 3);
    coresBusy[name] = round(used / (result.durationS * 1000), 2);
  }
  // Other work on the machine (another test run, a build) skews the figures: say how much.
  const ours = Object.values(coresBusy).reduce((sum, cores) => sum + cores, 0);
  const machine = (machineAfter - machineBefore) / (result.durationS * 1000);
  coresBusy.others = round(Math.max(0, machine - ours), 2);
  const redisAfter = stack.redis
    ? await redisCommandCalls(stack.redis.host, stack.redis.port)
    : undefined;
  return {
    route,
    ...result,
    busyCoresBefore: round(busyCoresBefore, 2),
    cpuMsPerRequest,
    coresBusy,
    ...(redisBefore && redisAfter
      ? { redisCommandsPerRequest: commandsPerRequest(redisBefore, redisAfter, result.requests) }
      : {}),
  };
}
