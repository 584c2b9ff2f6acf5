import { type BackendName, type BenchStack, startBenchStack } from "./bench-stack";
import type { EmulatorPlacement } from "./emulator-host";
import { type BuildStatus, ensureFreshBuild } from "./web-build";

export interface StackArgs {
  backend: BackendName;
  emulator: EmulatorPlacement;
}

/** `[redis|sqlite] [--emulator=process|inline]`, shared by the benchmarks that start a stack. */
export function parseStackArgs(argv: string[]): StackArgs {
  let backend: BackendName = "redis";
  let emulator: EmulatorPlacement = "process";
  for (const arg of argv) {
    if (arg === "redis" || arg === "sqlite") backend = arg;
    else if (arg === "--emulator=process" || arg === "--emulator=inline") {
      emulator = arg.slice("--emulator=".length) as EmulatorPlacement;
    } else throw new Error(`unknown argument ${arg}: [redis|sqlite] [--emulator=process|inline]`);
  }
  return { backend, emulator };
}

/** The results file's name: the production configuration keeps the plain name. */
export function resultsName(benchmark: string, args: StackArgs): string {
  return [
    benchmark,
    args.backend === "redis" ? "" : `-${args.backend}`,
    args.emulator === "process" ? "" : "-emulator-inline",
  ].join("");
}

/**
 * Builds the app when its sources changed, starts the bench stack, and makes Ctrl-C or a kill
 * still stop the server, Redis and the emulator (a second signal is not waited on).
 */
export async function startStackForBenchmark(
  args: StackArgs,
  log: (line: string) => void,
  serverEnv: Record<string, string> = {},
): Promise<{ stack: BenchStack; build: BuildStatus }> {
  const build = await ensureFreshBuild();
  log(
    build.kind === "built"
      ? `built the app in ${(build.durationMs / 1000).toFixed(0)} s`
      : "reusing a fresh build",
  );
  const stack = await startBenchStack({ ...args, serverEnv });
  log(
    `server ${stack.server.url} (pid ${stack.server.pid}), ${args.backend}, emulator ${args.emulator}`,
  );
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      void stack.stop().finally(() => process.exit(1));
    });
  }
  return { stack, build };
}
