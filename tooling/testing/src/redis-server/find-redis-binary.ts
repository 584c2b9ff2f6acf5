import { spawnSync } from "node:child_process";

export const REDIS_INSTALL_HINT =
  "Tests that need Redis start a real redis-server and never skip. Install it, e.g. " +
  "`apt-get update && apt-get install -y redis-server` (Debian/Ubuntu) or `brew install redis` (macOS). " +
  "Sentinel tests also run `redis-sentinel`: `apt-get install -y redis-sentinel` (Homebrew's redis has it).";

/** redis-server is missing or cannot run. */
export class RedisServerMissingError extends Error {
  readonly code = "REDIS_SERVER_MISSING" as const;

  constructor(binary: string, cause?: unknown) {
    super(`cannot run "${binary}". ${REDIS_INSTALL_HINT}`, { cause });
    this.name = "RedisServerMissingError";
  }
}

const versionCache = new Map<string, string>();

/**
 * Runs `binary --version` once per binary and returns its output. Spawning (rather than scanning
 * PATH ourselves) resolves the binary exactly as the later spawn will.
 */
export function checkRedisBinary(binary = "redis-server"): string {
  const cached = versionCache.get(binary);
  if (cached !== undefined) return cached;
  const result = spawnSync(binary, ["--version"], { encoding: "utf8", timeout: 10_000 });
  if (result.error || result.status !== 0) {
    throw new RedisServerMissingError(binary, result.error ?? result.stderr);
  }
  const version = result.stdout.trim();
  versionCache.set(binary, version);
  return version;
}
