#!/usr/bin/env node
// One entry point that works on a fresh machine with only Node and npm: it brings pnpm
// (the exact version pinned in package.json), installs the workspace, checks the system
// tools the tests need, then runs the requested command.
//
//   npm start           install + build + start Baton with the Slack emulator and reference agent
//   npm test            install + the whole Vitest suite in parallel lanes (other args: one vitest run)
//   npm run check       install + Biome + tsc --noEmit in every package
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { runTestLanes, wantsWholeSuite } from "./test-lanes.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const pinnedPnpm = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).packageManager;
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1", TURBO_TELEMETRY_DISABLED: "1" };

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit", env, ...options });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

function must(command, args) {
  const status = run(command, args);
  if (status !== 0) process.exit(status);
}

function found(command, args = ["--version"]) {
  const result = spawnSync(command, args, { stdio: "pipe", env });
  return result.status === 0 ? result.stdout.toString().trim() : null;
}

/** pnpm on PATH when it is the pinned version, otherwise the pinned version through npx. */
function pnpm() {
  const wanted = pinnedPnpm.replace(/^pnpm@/, "");
  if (found("pnpm") === wanted) return ["pnpm"];
  return ["npx", "--yes", pinnedPnpm];
}

function pnpmRun(args) {
  const [command, ...prefix] = pnpm();
  return run(command, [...prefix, ...args]);
}

function install() {
  const status = pnpmRun(["install", "--frozen-lockfile", "--reporter=append-only"]);
  if (status !== 0) process.exit(status);
}

/**
 * The tests start real servers and a real browser: redis-server and redis-sentinel, PostgreSQL,
 * and Chromium (with a colour emoji font for its screenshots). Missing ones are installed from
 * Debian's packages when we may (root with apt-get), once, before any test runs; otherwise the
 * command stops with an install hint.
 */
const TEST_TOOLS = [
  { binary: "redis-server", packages: ["redis-server"] },
  { binary: "redis-sentinel", packages: ["redis-sentinel"] },
  { binary: "/usr/lib/postgresql/15/bin/initdb", packages: ["postgresql"], versionArgs: ["-V"] },
  { binary: "chromium", packages: ["chromium", "fonts-noto-color-emoji"] },
];

function ensureTestTools() {
  const missing = TEST_TOOLS.filter((tool) => !found(tool.binary, tool.versionArgs));
  if (missing.length === 0) return;
  const packages = missing.flatMap((tool) => tool.packages);
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  if (isRoot && found("apt-get", ["--version"])) {
    console.log(`[baton] installing what the tests need from Debian: ${packages.join(" ")}`);
    must("apt-get", ["update", "-qq"]);
    must("apt-get", ["install", "-y", "-qq", ...packages]);
    return;
  }
  console.error(
    `[baton] the tests need ${missing.map((tool) => tool.binary).join(", ")}. Install them first, e.g.\n` +
      `  sudo apt-get install -y ${packages.join(" ")}    (Debian/Ubuntu)`,
  );
  process.exit(1);
}

const [command = "test", ...rest] = process.argv.slice(2);
switch (command) {
  case "test":
    install();
    ensureTestTools();
    if (!wantsWholeSuite(rest))
      process.exit(pnpmRun(["exec", "vitest", "run", "--config", "vitest.workspace.ts", ...rest]));
    process.exit(await runTestLanes({ root, pnpm: pnpm(), env, args: rest }));
    break;
  case "start":
    install();
    // The stack runs pnpm four times: hand it the command found here, not a fresh npx lookup each.
    process.exit(
      run(process.execPath, [join(root, "scripts", "start-stack.mjs"), ...rest], {
        // A person at a terminal reads one line per event; production keeps the JSON lines.
        env: {
          ...env,
          BATON_PNPM: JSON.stringify(pnpm()),
          BATON_LOG_FORMAT: env.BATON_LOG_FORMAT ?? "pretty",
        },
      }),
    );
    break;
  case "check":
    install();
    must(...splitFirst([...pnpm(), "exec", "biome", "check", "--error-on-warnings", "."]));
    process.exit(pnpmRun(["exec", "turbo", "run", "typecheck", "--output-logs=errors-only"]));
    break;
  default:
    console.error(`[baton] unknown command "${command}": use start, test or check`);
    process.exit(2);
}

function splitFirst([command, ...args]) {
  return [command, args];
}
