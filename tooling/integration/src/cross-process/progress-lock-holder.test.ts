import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { createRequestStores, PROGRESS_LOCK_TTL_MS, RESUME_CLAIM_TTL_MS } from "@baton/core";
import type { StateAdapter } from "chat";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openBackend } from "../support/backend-spec";
import { BACKENDS, type TestBackend } from "../support/backends";

const HOLDER_PATH = fileURLToPath(new URL("./progress-lock-holder.ts", import.meta.url));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts a holder process and resolves once it holds the lock. */
function startHolder(task: unknown): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", HOLDER_PATH, JSON.stringify(task)], {
      cwd: fileURLToPath(new URL("..", import.meta.url)),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr?.on("data", (chunk) => {
      stderr += chunk;
    });
    child.stdout?.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes('"held":true')) resolve(child);
      else reject(new Error(`the holder did not get the lock: ${chunk}`));
    });
    child.once("exit", (code) => reject(new Error(`holder exited ${code}\n${stderr}`)));
  });
}

/**
 * Found running two instances: after one was SIGKILLed, progress callbacks for its requests got
 * 503 for seconds (a progress lock held by the dead instance). A live holder keeps the lock as
 * long as it works; a killed one blocks progress for at most the claim TTL.
 */
describe.each(BACKENDS.filter((b) => b.name !== "postgres"))(
  "the progress lock of a killed instance on $name",
  ({ start }) => {
    let backend: TestBackend;
    let state: StateAdapter;
    let holder: ChildProcess | undefined;

    beforeAll(async () => {
      backend = await start();
      state = await openBackend(backend.spec);
    });
    afterAll(async () => {
      holder?.kill("SIGKILL");
      await state?.disconnect();
      await backend?.stop();
    });

    it(
      "is kept by a live holder past its TTL, and free within the claim TTL of a SIGKILL",
      async () => {
        expect(PROGRESS_LOCK_TTL_MS).toBeLessThanOrEqual(RESUME_CLAIM_TTL_MS);
        const botRequestId = randomUUID();
        const { statusMessages } = createRequestStores({ state });
        holder = await startHolder({ backend: backend.spec, botRequestId });

        // Alive and renewing: still held after more than one TTL.
        await sleep(PROGRESS_LOCK_TTL_MS + 1_500);
        expect(await statusMessages.lock(botRequestId)).toBeNull();

        holder.kill("SIGKILL");
        const killedAt = Date.now();
        let lock = await statusMessages.lock(botRequestId);
        while (!lock && Date.now() - killedAt < RESUME_CLAIM_TTL_MS + 2_000) {
          await sleep(200);
          lock = await statusMessages.lock(botRequestId);
        }
        const blockedMs = Date.now() - killedAt;
        console.log(`[progress lock] free ${blockedMs} ms after its holder was killed`);
        expect(lock).not.toBeNull();
        if (lock) await statusMessages.unlock(lock);
      },
      4 * RESUME_CLAIM_TTL_MS,
    );
  },
);
