import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const WORKER_PATH = fileURLToPath(new URL("../cross-process/store-worker.ts", import.meta.url));

/**
 * Runs the store worker in a fresh Node process (through tsx) with a JSON task on argv and
 * resolves with the JSON it prints last. A separate process means a separate StateAdapter
 * connection, module cache and memory: nothing is shared but the backend.
 */
export function runStoreWorker<T>(task: unknown, timeoutMs = 60_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", WORKER_PATH, JSON.stringify(task)], {
      cwd: fileURLToPath(new URL("..", import.meta.url)),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`store worker timed out after ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.on("error", reject);
    child.on("exit", (code) => {
      clearTimeout(timer);
      const lastLine = stdout.trim().split("\n").pop() ?? "";
      if (code !== 0) return reject(new Error(`store worker exited ${code}\n${stderr}${stdout}`));
      try {
        resolve(JSON.parse(lastLine) as T);
      } catch {
        reject(new Error(`store worker printed no JSON result\n${stdout}\n${stderr}`));
      }
    });
  });
}
