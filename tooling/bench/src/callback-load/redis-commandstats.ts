import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);
/** `INFO commandstats` answers at once; a stalled server must not hang the benchmark. */
const REDIS_CLI_TIMEOUT_MS = 5_000;

/** Calls per Redis command so far (`INFO commandstats`), e.g. `{ get: 120, set: 40 }`. */
export async function redisCommandCalls(
  host: string,
  port: number,
): Promise<Record<string, number>> {
  const { stdout } = await run(
    "redis-cli",
    ["-h", host, "-p", String(port), "INFO", "commandstats"],
    { timeout: REDIS_CLI_TIMEOUT_MS },
  );
  const calls: Record<string, number> = {};
  for (const match of stdout.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    const [, command, count] = match;
    if (command && count) calls[command] = Number(count);
  }
  return calls;
}

/** Commands per request between two snapshots, leaving out the INFO calls themselves. */
export function commandsPerRequest(
  before: Record<string, number>,
  after: Record<string, number>,
  requests: number,
): Record<string, number> {
  const perRequest: Record<string, number> = {};
  for (const [command, count] of Object.entries(after)) {
    const delta = count - (before[command] ?? 0);
    if (delta > 0 && command !== "info") {
      perRequest[command] = Math.round((delta / Math.max(1, requests)) * 100) / 100;
    }
  }
  return perRequest;
}
