// Starts Baton locally: the Next.js app on its embedded default (SQLite under .data/), plus the
// loopback Slack emulator and the reference agent, wired together. Called by `npm start` after
// the workspace is installed. With SLACK_BOT_TOKEN + SLACK_SIGNING_SECRET set it serves real
// Slack instead of the emulator; with AGENT_URL set it uses that agent; REDIS_URL with
// BATON_STATE_BACKEND=redis puts the state on Redis.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dataDir = resolve(root, process.env.BATON_DATA_DIR ?? ".data");
const HOST = "127.0.0.1";
const webPort = Number(process.env.BATON_PORT ?? 3000);
const emulatorPort = Number(process.env.SLACK_EMULATOR_PORT ?? 4010);
const agentPort = Number(process.env.AGENT_LOCAL_PORT ?? 4020);
const READY_TIMEOUT_MS = 60_000;
const pnpm = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).packageManager;

/** Secrets for local runs, created once and kept so restarts keep verifying old callbacks. */
function localSecrets() {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, "local-secrets.json");
  const kept = existsSync(path) ? JSON.parse(readFileSync(path, "utf8")) : undefined;
  // A file from before account linking lacks the link secret: it is added, the rest kept.
  if (kept?.linkSecret) return kept;
  const secrets = {
    callbackSecret: randomBytes(32).toString("hex"),
    slackSigningSecret: randomBytes(16).toString("hex"),
    slackBotToken: `xoxb-local-${randomBytes(8).toString("hex")}`,
    ...kept,
    linkSecret: randomBytes(32).toString("hex"),
  };
  writeFileSync(path, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  return secrets;
}

const children = [];

function start(name, args, env) {
  const [command, ...prefix] = pnpmCommand();
  const child = spawn(command, [...prefix, ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group, so stopping it also stops what pnpm started under it.
    detached: true,
  });
  const label = `[${name}]`.padEnd(8);
  for (const stream of [child.stdout, child.stderr]) {
    let buffered = "";
    stream.on("data", (chunk) => {
      buffered += chunk;
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      // Once stopping, pnpm's complaints about children ended by our own SIGTERM are noise.
      if (!stopping) for (const line of lines) console.log(`${label} ${line}`);
    });
  }
  child.on("exit", (code, signal) => {
    if (!stopping) {
      console.error(`${label} exited (${signal ?? code}); stopping the stack`);
      stop(1);
    }
  });
  children.push(child);
  return child;
}

/** The pnpm command `npm start` resolved (scripts/baton.mjs), else pnpm itself or the pinned one via npx. */
function pnpmCommand() {
  if (process.env.BATON_PNPM) return JSON.parse(process.env.BATON_PNPM);
  return process.env.npm_config_user_agent?.startsWith("pnpm/") ? ["pnpm"] : ["npx", "--yes", pnpm];
}

function run(args) {
  const [command, ...prefix] = pnpmCommand();
  return new Promise((resolveRun, reject) => {
    const child = spawn(command, [...prefix, ...args], { cwd: root, stdio: "inherit" });
    child.on("exit", (code) =>
      code === 0 ? resolveRun() : reject(new Error(`${args.join(" ")} failed (${code})`)),
    );
  });
}

async function waitFor(url, name) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${name} did not become ready at ${url} within ${READY_TIMEOUT_MS / 1000} s`);
}

/** Resolves when nothing listens on the port; a port in use stops the start at once. */
function assertPortFree(port, variable) {
  return new Promise((resolveFree) => {
    const probe = createServer();
    probe.once("error", (error) => {
      const reason = error.code === "EADDRINUSE" ? "is in use" : `cannot be used (${error.code})`;
      console.error(
        `[baton] port ${port} on ${HOST} ${reason}: stop what runs there, or set ${variable} to a free port.`,
      );
      process.exit(1);
    });
    probe.listen(port, HOST, () => probe.close(() => resolveFree()));
  });
}

let stopping = false;
/** How long the children get to end after SIGTERM before the stack exits anyway. */
const STOP_GRACE_MS = 5_000;
function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  const running = children.filter((child) => child.exitCode === null && child.signalCode === null);
  for (const child of running) {
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      // already gone
    }
  }
  const ended = running.map((child) => new Promise((done) => child.once("exit", done)));
  const grace = new Promise((done) => setTimeout(done, STOP_GRACE_MS));
  Promise.race([Promise.all(ended), grace]).then(() => {
    if (code === 0) console.log("[baton] stopped.");
    process.exit(code);
  });
}
process.on("SIGINT", () => stop(0));
process.on("SIGTERM", () => stop(0));

const secrets = localSecrets();
const realSlack = Boolean(process.env.SLACK_BOT_TOKEN && process.env.SLACK_SIGNING_SECRET);
const publicUrl = process.env.BATON_PUBLIC_URL ?? `http://${HOST}:${webPort}`;
const webEnv = {
  NEXT_TELEMETRY_DISABLED: "1",
  BATON_PUBLIC_URL: publicUrl,
  BATON_CALLBACK_SECRETS: process.env.BATON_CALLBACK_SECRETS ?? secrets.callbackSecret,
  BATON_SQLITE_PATH: process.env.BATON_SQLITE_PATH ?? join(dataDir, "baton.sqlite"),
};

// Before anything is built: a second `npm start` must not rebuild the app under a running one.
await assertPortFree(webPort, "BATON_PORT");
if (!realSlack) await assertPortFree(emulatorPort, "SLACK_EMULATOR_PORT");
if (!process.env.AGENT_URL) await assertPortFree(agentPort, "AGENT_LOCAL_PORT");

console.log("[baton] building the web app…");
await run(["--filter", "@baton/web", "build"]);

if (!realSlack) {
  Object.assign(webEnv, {
    SLACK_BOT_TOKEN: secrets.slackBotToken,
    SLACK_SIGNING_SECRET: secrets.slackSigningSecret,
    SLACK_API_URL: `http://${HOST}:${emulatorPort}/api/`,
    SLACK_BOT_USER_ID: "U0BATONBOT1",
  });
  start("slack", ["--filter", "@baton/slack-emulator", "start", "--port", String(emulatorPort)], {
    SLACK_SIGNING_SECRET: secrets.slackSigningSecret,
    SLACK_BOT_TOKEN: secrets.slackBotToken,
    SLACK_BOT_USER_ID: "U0BATONBOT1",
    SLACK_EVENTS_URL: `http://${HOST}:${webPort}/api/webhooks/slack`,
    // The page keeps its history across restarts, beside Baton's own SQLite store.
    SLACK_EMULATOR_WORKSPACE_FILE: join(dataDir, "slack-workspace.json"),
  });
}
if (!process.env.AGENT_URL) {
  webEnv.AGENT_URL = `http://${HOST}:${agentPort}`;
  // The reference agent is also the account system of account linking (on with
  // BATON_ACCOUNT_LINKING=required): its /link page confirms links with Baton.
  webEnv.BATON_LINK_SECRETS = process.env.BATON_LINK_SECRETS ?? secrets.linkSecret;
  webEnv.BATON_ACCOUNT_LINK_URL =
    process.env.BATON_ACCOUNT_LINK_URL ?? `http://${HOST}:${agentPort}/link`;
  start(
    "agent",
    [
      "--filter",
      "@baton/agent-local",
      "start",
      "--port",
      String(agentPort),
      "--baton-url",
      publicUrl,
    ],
    { AGENT_LOCAL_LINK_SECRET: webEnv.BATON_LINK_SECRETS.split(",")[0].trim() },
  );
}
start("web", ["--filter", "@baton/web", "start", "-p", String(webPort), "-H", HOST], webEnv);

try {
  await waitFor(`http://${HOST}:${webPort}/api/health`, "the web app");
  if (!realSlack) await waitFor(`http://${HOST}:${emulatorPort}/`, "the Slack emulator");
  if (!process.env.AGENT_URL) await waitFor(`http://${HOST}:${agentPort}/healthz`, "the agent");
} catch (error) {
  console.error(`[baton] ${error.message}`);
  stop(1);
}
// A piece that never became ready is being stopped: say nothing more.
if (!stopping)
  console.log(`
[baton] ready.
  Baton:          ${publicUrl}   (health: ${publicUrl}/api/health)
  ${realSlack ? `Slack:          real Slack (events URL: ${publicUrl}/api/webhooks/slack)` : `Slack emulator: http://${HOST}:${emulatorPort}   <- open this, mention @baton in #general`}
  Agent:          ${process.env.AGENT_URL ?? `http://${HOST}:${agentPort} (reference agent, demo executor)`}
  Linking:        ${process.env.BATON_ACCOUNT_LINKING === "required" ? "required (the private link opens the reference agent's /link page)" : "off (BATON_ACCOUNT_LINKING=required turns it on)"}
  State:          ${process.env.BATON_STATE_BACKEND === "redis" ? `redis (${process.env.REDIS_URL})` : `sqlite (${webEnv.BATON_SQLITE_PATH})`}
Press Ctrl-C to stop.`);
