import {
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { BATON_WEB_DIR, buildBatonApp, TEST_DIST_DIR } from "@baton/stack";

/**
 * The benchmark's own build of apps/web: the app's files linked into .web-build/bench at the
 * workspace root, built there. The e2e suite rebuilds apps/web's test build on every run; a
 * private build cannot be rebuilt under a running benchmark, and the benchmark never takes the
 * app's build lock. The directory sits as deep as apps/web, so the app's relative paths
 * (tsconfig `extends`) hold.
 */
export const BENCH_WEB_DIR = join(
  dirname(fileURLToPath(import.meta.url)),
  "..",
  "..",
  "..",
  "..",
  ".web-build",
  "bench",
);
/** Where @baton/stack's buildBatonApp and startBatonServer put and find the build. */
const STACK_DIST_DIR = TEST_DIST_DIR;
/** Linked: read only by the build. */
const LINKED = ["src", "node_modules", "package.json", "next.config.ts"];
/** Copied: Next may rewrite its tsconfig, which must never reach the app's own. */
const COPIED = ["tsconfig.json"];

/** Sources Next compiles into the app (apps/web plus the workspace packages it transpiles). */
const BUILD_INPUTS = [
  "src",
  "next.config.ts",
  "package.json",
  "tsconfig.json",
  "../../packages/agent-protocol/src",
  "../../packages/core/src",
  "../../packages/state-redis/src",
  "../../packages/state-sqlite/src",
];
/** Bounds the walk: the inputs hold a few hundred files. */
const MAX_FILES_WALKED = 20_000;

function newestMtimeMs(path: string, budget: { files: number }): number {
  if (!existsSync(path) || budget.files <= 0) return 0;
  const stat = statSync(path);
  budget.files -= 1;
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path)) {
    newest = Math.max(newest, newestMtimeMs(join(path, entry), budget));
  }
  return newest;
}

export type BuildStatus = { kind: "reused"; ageS: number } | { kind: "built"; durationMs: number };

/**
 * Reuses the private build when its BUILD_ID is newer than every input of apps/web, otherwise
 * runs `next build` there. A stale build would measure code that is not the code under review.
 */
export async function ensureFreshBuild(appDir = BENCH_WEB_DIR): Promise<BuildStatus> {
  linkApp(appDir);
  const fresh = freshBuildAge(appDir);
  if (fresh !== undefined) return { kind: "reused", ageS: fresh };
  const { durationMs } = await buildBatonApp(appDir);
  return { kind: "built", durationMs };
}

/** (Re)creates the private app directory's links and copies; leaves its builds alone. */
function linkApp(appDir: string): void {
  mkdirSync(appDir, { recursive: true });
  for (const name of LINKED) {
    const target = join("..", "..", "apps", "web", name);
    const path = join(appDir, name);
    const current = lstatSync(path, { throwIfNoEntry: false });
    if (current?.isSymbolicLink() && readlinkSync(path) === target) continue;
    if (current) rmSync(path, { recursive: true, force: true });
    symlinkSync(target, path);
  }
  for (const name of COPIED) copyFileSync(join(BATON_WEB_DIR, name), join(appDir, name));
}

/** Seconds since the build, when it is newer than every input; otherwise undefined. */
function freshBuildAge(appDir: string): number | undefined {
  const buildId = join(appDir, STACK_DIST_DIR, "BUILD_ID");
  if (!existsSync(buildId)) return undefined;
  const builtAt = statSync(buildId).mtimeMs;
  const budget = { files: MAX_FILES_WALKED };
  const newestInput = Math.max(
    ...BUILD_INPUTS.map((p) => newestMtimeMs(join(BATON_WEB_DIR, p), budget)),
  );
  return newestInput <= builtAt ? (Date.now() - builtAt) / 1000 : undefined;
}
