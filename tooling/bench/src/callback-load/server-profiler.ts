import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const PRELOAD = join(dirname(fileURLToPath(import.meta.url)), "cpu-profiler-preload.cjs");
/** Writing a profile of a few hundred thousand samples takes about a second. */
const PROFILE_WAIT_MS = 30_000;
const POLL_MS = 50;

async function waitForFile(dir: string, matches: (name: string) => boolean): Promise<string> {
  const deadline = Date.now() + PROFILE_WAIT_MS;
  while (Date.now() < deadline) {
    const found = readdirSync(dir).find(matches);
    if (found) return join(dir, found);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  throw new Error(`the server's profiler did not answer within ${PROFILE_WAIT_MS} ms (${dir})`);
}

/** Profiles windows of a server started with `env`, by signalling the preloaded profiler. */
export interface ServerProfiler {
  /** Environment to start the server with. */
  readonly env: Record<string, string>;
  start(pid: number): Promise<void>;
  /** Stops the window and returns the profile's path. */
  stop(pid: number): Promise<string>;
  dispose(): void;
}

/** What a window samples: CPU time (`.cpuprofile`) or allocations (`.heapprofile`). */
export type ProfileKind = "cpu" | "heap";

export function createServerProfiler(kind: ProfileKind = "cpu"): ServerProfiler {
  if (!existsSync(PRELOAD)) throw new Error(`missing ${PRELOAD}`);
  const dir = mkdtempSync(join(tmpdir(), "baton-cpu-prof-"));
  const extension = kind === "heap" ? "heapprofile" : "cpuprofile";
  let windows = 0;
  return {
    env: {
      NODE_OPTIONS: `--require ${PRELOAD}`,
      BENCH_CPU_PROFILE_DIR: dir,
      BENCH_PROFILE_KIND: kind,
    },
    async start(pid) {
      process.kill(pid, "SIGUSR2");
      await waitForFile(dir, (name) => name === `started-${pid}-${windows}`);
    },
    async stop(pid) {
      process.kill(pid, "SIGUSR2");
      const path = await waitForFile(
        dir,
        (name) => name === `server-${pid}-${windows}.${extension}`,
      );
      windows += 1;
      return path;
    },
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}
