import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const POSTGRES_INSTALL_HINT =
  "Tests that need PostgreSQL start a real throwaway cluster and never skip. Install the server, " +
  "e.g. `apt-get update && apt-get install -y postgresql` (Debian/Ubuntu; run as root, the test " +
  "setup does it itself) or `brew install postgresql` (macOS, with initdb and postgres on PATH).";

/** initdb/postgres are missing and could not be installed. */
export class PostgresServerMissingError extends Error {
  readonly code = "POSTGRES_SERVER_MISSING" as const;

  constructor(detail: string, cause?: unknown) {
    super(`cannot find PostgreSQL's initdb and postgres (${detail}). ${POSTGRES_INSTALL_HINT}`, {
      cause,
    });
    this.name = "PostgresServerMissingError";
  }
}

const DEBIAN_ROOT = "/usr/lib/postgresql";
/** apt-get can take minutes on a cold package cache; it runs at most once per machine at a time. */
const INSTALL_TIMEOUT_MS = 10 * 60_000;

/** Debian installs each major version under /usr/lib/postgresql/<major>/bin; the newest wins. */
function debianBinDir(): string | undefined {
  if (!existsSync(DEBIAN_ROOT)) return undefined;
  const majors = readdirSync(DEBIAN_ROOT)
    .filter((name) => /^\d+$/.test(name))
    .sort((a, b) => Number(b) - Number(a));
  for (const major of majors) {
    const dir = join(DEBIAN_ROOT, major, "bin");
    if (existsSync(join(dir, "initdb")) && existsSync(join(dir, "postgres"))) return dir;
  }
  return undefined;
}

/** Elsewhere (macOS, other distributions) the binaries are on PATH. */
function pathBinDir(): string | undefined {
  const result = spawnSync("pg_config", ["--bindir"], { encoding: "utf8", timeout: 10_000 });
  if (result.status !== 0) return undefined;
  const dir = result.stdout.trim();
  return existsSync(join(dir, "initdb")) ? dir : undefined;
}

/**
 * Installs Debian's `postgresql` when we are root. Test files run in parallel workers, so the
 * install runs under `flock`: a second caller waits for the first and then finds it done.
 */
function installDebianPostgres(): void {
  const lock = join(tmpdir(), "baton-postgresql-install.lock");
  const script =
    "apt-get install -y --no-install-recommends postgresql >/dev/null 2>&1 || " +
    "(apt-get update >/dev/null 2>&1 && apt-get install -y --no-install-recommends postgresql)";
  const result = spawnSync("flock", [lock, "sh", "-c", script], {
    encoding: "utf8",
    timeout: INSTALL_TIMEOUT_MS,
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
  if (result.error || result.status !== 0) {
    throw new PostgresServerMissingError(
      "apt-get install -y postgresql failed",
      result.error ?? result.stderr,
    );
  }
}

let cached: string | undefined;

/** The directory holding initdb and postgres, installing Debian's package once when possible. */
export function findPostgresBinDir(): string {
  if (cached !== undefined) return cached;
  let dir = debianBinDir() ?? pathBinDir();
  if (dir === undefined) {
    const isRoot = process.getuid?.() === 0;
    const hasApt = spawnSync("apt-get", ["--version"], { timeout: 10_000 }).status === 0;
    if (!isRoot || !hasApt) {
      throw new PostgresServerMissingError(
        isRoot ? "no apt-get to install it with" : "not root, so not installing it",
      );
    }
    installDebianPostgres();
    dir = debianBinDir();
    if (dir === undefined) throw new PostgresServerMissingError("installed, but not found");
  }
  cached = dir;
  return dir;
}
