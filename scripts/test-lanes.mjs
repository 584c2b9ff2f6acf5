// The whole suite in parallel lanes. The web project's end-to-end files each start Next, the
// Slack emulator, the agent and a store, so a lane runs them one file at a time; run in one
// Vitest process they kept every other project waiting. Here the other projects run in one
// process while the web files run in E2E_LANES shards, each its own process, against one Next
// build made first. Each lane's output is prefixed with its name; JSON reports are merged.
import { spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createInterface } from "node:readline";

const E2E_LANES = 2;
/**
 * End-to-end files that kill an instance mid-run and check what the survivors make of it: run
 * on their own once the other lanes are done. Under three busy lanes on two cores a restart
 * took 6 s instead of 2 and the file measured the machine's backlog rather than Baton.
 */
const RUN_ALONE = ["apps/web/e2e/instance-crash.test.ts"];
/** As `--exclude` needs them: globs are matched inside each project's own root. */
const excludeGlob = (file) => `**/${file.split("/").slice(-2).join("/")}`;
const WEB_PROJECT = "web";
/** tooling/stack's TEST_DIST_DIR: where test builds go (apps/web/next.config.ts reads it). */
const TEST_DIST_DIR = ".next-test";
/** Tells the web project's global setup that this runner has built the app already. */
const PREBUILT_FLAG = "BATON_TEST_PREBUILT";
const REPORT_FLAG = /^--outputFile\.json=(.+)$/;

/** True when the arguments only choose reporters: then the whole suite runs, in lanes. */
export function wantsWholeSuite(args) {
  return args.every((arg) => /^--(reporter|outputFile)[.=]/.test(arg));
}

/**
 * Runs every project: `pnpm` is the command prefix to run pnpm, `env` the environment.
 * Resolves to the exit status (0 only when every lane passed).
 */
export async function runTestLanes({ root, pnpm, env, args }) {
  const report = args.map((arg) => REPORT_FLAG.exec(arg)?.[1]).find(Boolean);
  const laneArgs = (lane) =>
    args.map((arg) =>
      REPORT_FLAG.test(arg) ? `--outputFile.json=${laneReport(report, lane)}` : arg,
    );
  const vitest = (lane, selection, laneEnv = env) =>
    runLane(
      lane,
      pnpm,
      ["exec", "vitest", "run", "--config", "vitest.workspace.ts", ...selection, ...laneArgs(lane)],
      {
        cwd: root,
        env: laneEnv,
      },
    );

  const lanes = [vitest("units", [`--project=!${WEB_PROJECT}`])];
  const e2eNames = Array.from({ length: E2E_LANES }, (_, index) => `e2e-${index + 1}`);
  let webBuilt = false;
  lanes.push(
    buildWebApp(root, pnpm, env).then((built) => {
      if (built !== 0) return built;
      webBuilt = true;
      const webEnv = { ...env, [PREBUILT_FLAG]: "1" };
      const excluded = RUN_ALONE.map((file) => `--exclude=${excludeGlob(file)}`);
      return Promise.all(
        e2eNames.map((lane, index) =>
          vitest(
            lane,
            [`--project=${WEB_PROJECT}`, `--shard=${index + 1}/${E2E_LANES}`, ...excluded],
            webEnv,
          ),
        ),
      ).then((statuses) => statuses.find((status) => status !== 0) ?? 0);
    }),
  );
  const statuses = await Promise.all(lanes);
  // After every other lane (whether it passed or not), against the build made above.
  if (webBuilt) {
    statuses.push(
      await vitest("alone", [`--project=${WEB_PROJECT}`, ...RUN_ALONE], {
        ...env,
        [PREBUILT_FLAG]: "1",
      }),
    );
  }
  if (report)
    mergeReports(
      report,
      ["units", ...e2eNames, "alone"].map((lane) => laneReport(report, lane)),
    );
  return statuses.find((status) => status !== 0) ?? 0;
}

function laneReport(report, lane) {
  return report ? report.replace(/(\.json)?$/, `.${lane}.json`) : undefined;
}

/** `next build` for the tests, once, as tooling/stack's buildBatonApp does (a child env without our settings). */
function buildWebApp(root, pnpm, env) {
  const keep = ["PATH", "HOME", "TMPDIR", "LANG", "LC_ALL", "TZ", "USER"];
  const buildEnv = { NEXT_TELEMETRY_DISABLED: "1", BATON_NEXT_DIST_DIR: TEST_DIST_DIR };
  for (const key of keep) if (env[key] !== undefined) buildEnv[key] = env[key];
  return runLane("build", pnpm, ["--filter", "@baton/web", "exec", "next", "build"], {
    cwd: root,
    env: buildEnv,
  });
}

function runLane(lane, [command, ...prefix], args, options) {
  return new Promise((resolve) => {
    const child = spawn(command, [...prefix, ...args], {
      ...options,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const label = `[${lane}] `;
    for (const [stream, out] of [
      [child.stdout, process.stdout],
      [child.stderr, process.stderr],
    ]) {
      createInterface({ input: stream }).on("line", (line) => out.write(`${label}${line}\n`));
    }
    child.on("error", (error) => {
      console.error(`${label}could not start: ${error.message}`);
      resolve(1);
    });
    child.on("close", (code, signal) => {
      if (code !== 0) console.error(`${label}exited with ${signal ?? `code ${code}`}`);
      resolve(code ?? 1);
    });
  });
}

/** One Vitest JSON report from the lanes' reports; a lane that wrote none counts as a failed suite. */
function mergeReports(target, parts) {
  const merged = {
    numTotalTestSuites: 0,
    numPassedTestSuites: 0,
    numFailedTestSuites: 0,
    numPendingTestSuites: 0,
    numTotalTests: 0,
    numPassedTests: 0,
    numFailedTests: 0,
    numPendingTests: 0,
    numTodoTests: 0,
    numRuntimeErrorTestSuites: 0,
    startTime: Number.POSITIVE_INFINITY,
    success: true,
    testResults: [],
  };
  for (const part of parts) {
    if (!existsSync(part)) {
      merged.numRuntimeErrorTestSuites += 1;
      merged.success = false;
      continue;
    }
    const report = JSON.parse(readFileSync(part, "utf8"));
    for (const key of Object.keys(merged)) {
      if (typeof merged[key] === "number" && key !== "startTime") merged[key] += report[key] ?? 0;
    }
    merged.startTime = Math.min(merged.startTime, report.startTime ?? merged.startTime);
    merged.success &&= report.success !== false;
    merged.testResults.push(...(report.testResults ?? []));
    rmSync(part);
  }
  writeFileSync(target, JSON.stringify(merged));
}
