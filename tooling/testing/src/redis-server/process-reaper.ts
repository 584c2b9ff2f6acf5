import { type ChildProcess, spawn } from "node:child_process";

/**
 * Makes sure a spawned server dies with the test process. Two layers: an `exit` hook for normal
 * exits (including a failing test run), and a tiny `sh` watchdog per server that reads our end of
 * a pipe and kills the server on EOF, which also covers SIGKILL of the test process.
 */
const live = new Map<ChildProcess, ChildProcess | undefined>();
let hooked = false;

function killEverything(): void {
  for (const [server, watchdog] of live) {
    server.kill("SIGKILL");
    watchdog?.kill("SIGKILL");
  }
  live.clear();
}

function spawnWatchdog(pid: number): ChildProcess | undefined {
  try {
    const watchdog = spawn(
      "sh",
      ["-c", 'read _ignored; kill -KILL "$1" 2>/dev/null', "sh", `${pid}`],
      {
        stdio: ["pipe", "ignore", "ignore"],
      },
    );
    watchdog.on("error", () => {
      // no sh: the exit hook alone has to do
    });
    watchdog.unref();
    // The pipe must not keep the event loop alive; it only has to stay open while we live.
    (watchdog.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    return watchdog;
  } catch {
    return undefined;
  }
}

/** Registers a running server; returns the function to call once it has exited. */
export function trackServerProcess(server: ChildProcess): () => void {
  if (!hooked) {
    hooked = true;
    process.once("exit", killEverything);
  }
  const watchdog = server.pid === undefined ? undefined : spawnWatchdog(server.pid);
  live.set(server, watchdog);
  return () => {
    live.delete(server);
    watchdog?.kill("SIGKILL");
  };
}
