import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** apps/web, found from this file so it works whatever the test's working directory. */
export const BATON_WEB_DIR = fileURLToPath(new URL("../../../apps/web/", import.meta.url));

/** Where test builds go (next.config.ts reads BATON_NEXT_DIST_DIR), apart from `npm start`'s `.next`. */
export const TEST_DIST_DIR = ".next-test";

export const BATON_BUILD_HINT = `BATON_NEXT_DIST_DIR=${TEST_DIST_DIR} pnpm --filter @baton/web build`;

/** The built app is missing, or its build failed. */
export class BatonBuildError extends Error {
  readonly code: "BUILD_MISSING" | "BUILD_FAILED";

  constructor(code: "BUILD_MISSING" | "BUILD_FAILED", message: string) {
    super(message);
    this.name = "BatonBuildError";
    this.code = code;
  }
}

/** The `next` CLI script as installed for the app (not whatever `next` is on PATH). */
export function resolveNextBin(appDir = BATON_WEB_DIR): string {
  const require = createRequire(join(appDir, "package.json"));
  const manifestPath = require.resolve("next/package.json");
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as { bin?: { next?: string } };
  const bin = manifest.bin?.next;
  if (!bin) throw new Error(`no "next" bin in ${manifestPath}`);
  return join(manifestPath, "..", bin);
}

/** Throws BUILD_MISSING with the command to run when `next start` would have nothing to serve. */
export function assertBatonBuilt(appDir = BATON_WEB_DIR): void {
  const buildId = join(appDir, TEST_DIST_DIR, "BUILD_ID");
  if (!existsSync(buildId)) {
    throw new BatonBuildError(
      "BUILD_MISSING",
      `${buildId} is missing: build the app first (${BATON_BUILD_HINT})`,
    );
  }
}

/**
 * Environment for a child Next process: only what a process needs to run (PATH, HOME, locale,
 * temp dir), never the parent's configuration (BATON_*, SLACK_*, REDIS_*, NODE_ENV, ...), so a
 * test sees exactly the settings it passes.
 */
export function baseChildEnv(): Record<string, string> {
  const keep = ["PATH", "HOME", "TMPDIR", "LANG", "LC_ALL", "TZ", "USER"];
  const env: Record<string, string> = {
    NEXT_TELEMETRY_DISABLED: "1",
    BATON_NEXT_DIST_DIR: TEST_DIST_DIR,
  };
  for (const key of keep) {
    const value = process.env[key];
    if (value !== undefined) env[key] = value;
  }
  return env;
}

/** Runs `next build` for the app; rejects with the build's output when it fails. */
export function buildBatonApp(appDir = BATON_WEB_DIR): Promise<{ durationMs: number }> {
  const started = Date.now();
  const child = spawn(process.execPath, [resolveNextBin(appDir), "build"], {
    cwd: appDir,
    // Next declares NODE_ENV required in ProcessEnv; a child gets only what it needs, without it.
    env: baseChildEnv() as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
  });
  child.stderr.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
  });
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      if (code === 0) return resolve({ durationMs: Date.now() - started });
      reject(
        new BatonBuildError(
          "BUILD_FAILED",
          `next build in ${appDir} failed (${signal ?? `exit ${code}`}):\n${output.slice(-8_000)}`,
        ),
      );
    });
  });
}
