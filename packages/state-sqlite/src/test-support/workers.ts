import { type ChildProcess, spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { WorkerTask } from "./state-worker";

const here = dirname(fileURLToPath(import.meta.url));
const packageDir = join(here, "..", "..");
const workerScript = join(here, "state-worker.ts");

export interface Worker {
  child: ChildProcess;
  /** Resolves once the worker has connected and waits for go(). */
  ready: Promise<void>;
  /** Lets the worker start its task at `startAt` (Unix ms). */
  go(startAt?: number): void;
  /** The task's result; rejects when the worker exits without one. */
  result: Promise<unknown>;
  /** Called for every stdout line (after "ready"). */
  onLine(listener: (line: string) => void): void;
  /** Resolves when the process has exited. */
  exited: Promise<void>;
}

/** Starts a separate Node process running one task against the database file. */
export function startWorker(task: WorkerTask): Worker {
  const child = spawn(process.execPath, ["--import", "tsx", workerScript, JSON.stringify(task)], {
    cwd: packageDir,
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk) => {
    stderr += String(chunk);
  });
  const listeners: ((line: string) => void)[] = [];
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  let resultValue: unknown;
  let hasResult = false;
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
    if (line === "ready") markReady();
    else if (line.startsWith("result ")) {
      resultValue = JSON.parse(line.slice("result ".length));
      hasResult = true;
    } else for (const listener of listeners) listener(line);
  });
  const failure = (code: number | null, signal: string | null) =>
    new Error(
      `worker ${task.kind} exited (code ${code}, signal ${signal}) without a result:\n${stderr}`,
    );
  // "close", not "exit": it fires only after stdout has been read to the end.
  const exited = new Promise<void>((resolve) => child.on("close", () => resolve()));
  const result = new Promise<unknown>((resolve, reject) =>
    child.on("close", (code, signal) =>
      hasResult && code === 0 ? resolve(resultValue) : reject(failure(code, signal)),
    ),
  );
  // A worker killed on purpose never reports: that must not count as an unhandled rejection.
  result.catch(() => {});
  return {
    child,
    ready: Promise.race([
      ready,
      new Promise<never>((_, reject) =>
        child.on("close", (code, signal) => reject(failure(code, signal))),
      ),
    ]),
    go: (startAt = Date.now()) => child.stdin?.end(`go ${startAt}\n`),
    result,
    onLine: (listener) => listeners.push(listener),
    exited,
  };
}

/** Starts every task, waits until all are connected, releases them at once, returns results. */
export async function runTogether(tasks: WorkerTask[]): Promise<unknown[]> {
  const workers = tasks.map(startWorker);
  try {
    await Promise.all(workers.map((worker) => worker.ready));
    const startAt = Date.now() + 100;
    for (const worker of workers) worker.go(startAt);
    return await Promise.all(workers.map((worker) => worker.result));
  } finally {
    for (const worker of workers) if (worker.child.exitCode === null) worker.child.kill("SIGKILL");
  }
}
