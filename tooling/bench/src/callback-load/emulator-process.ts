import { type ChildProcess, fork } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { EmulatorHost } from "./emulator-host";
import type { ChildMessage, EmulatorCall, EmulatorOp } from "./emulator-ipc";
import type { ComposedMention, EmulatorStats, ThreadReplies } from "./emulator-service";

const HERE = dirname(fileURLToPath(import.meta.url));
const CHILD_ENTRY = join(HERE, "emulator-child.ts");
/** The bench package, where `tsx` resolves from. */
const BENCH_DIR = join(HERE, "..", "..");
const READY_TIMEOUT_MS = 30_000;
const CALL_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 5_000;

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

/** The fixture Slack emulator in a child process of its own, driven over IPC. */
export async function startEmulatorProcess(): Promise<EmulatorHost> {
  const child = fork(CHILD_ENTRY, [], {
    cwd: BENCH_DIR,
    execArgv: ["--import", "tsx"],
    serialization: "advanced",
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  const pending = new Map<number, { resolve(value: unknown): void; reject(e: Error): void }>();
  let nextId = 0;

  const apiUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("emulator child not ready")), READY_TIMEOUT_MS);
    child.once("exit", (code) => reject(new Error(`emulator child exited (${code})`)));
    child.on("message", (message: ChildMessage) => {
      if (message.kind === "ready") {
        clearTimeout(timer);
        resolve(message.apiUrl);
        return;
      }
      const waiter = pending.get(message.id);
      pending.delete(message.id);
      if (message.kind === "result") waiter?.resolve(message.value);
      else waiter?.reject(new Error(`emulator child: ${message.message}`));
    });
  }).catch(async (error: unknown) => {
    child.kill("SIGKILL");
    throw error;
  });
  child.once("exit", () => {
    for (const waiter of pending.values()) waiter.reject(new Error("emulator child exited"));
    pending.clear();
  });

  function call<T>(op: EmulatorOp, ...args: unknown[]): Promise<T> {
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`emulator child: ${op} timed out`));
      }, CALL_TIMEOUT_MS);
      pending.set(id, {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value as T);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      child.send({ id, op, args } satisfies EmulatorCall);
    });
  }

  return {
    placement: "process",
    apiUrl,
    pid: child.pid,
    compose: (channels, text) => call<ComposedMention[]>("compose", channels, text),
    threadReplies: (channels) => call<ThreadReplies[]>("threadReplies", channels),
    stats: () => call<EmulatorStats>("stats"),
    async stop() {
      process.off("exit", killOnExit);
      if (child.connected) child.disconnect();
      const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
      await exited(child);
      clearTimeout(timer);
    },
  };
}
