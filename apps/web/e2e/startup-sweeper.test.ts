import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { connect } from "node:net";
import {
  BATON_HOST,
  BATON_WEB_DIR,
  type LocalStack,
  resolveNextBin,
  startLocalStack,
  TEST_DIST_DIR,
  waitUntil,
} from "@baton/stack";
import { getFreePort } from "@baton/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const DEADLINE_MS = 2_000;
const CRON_SECRET = randomBytes(16).toString("hex");
const SWEEP_INTERVAL_MS = 300;

/** Whether something listens on the port: a TCP connect only, never an HTTP request. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: BATON_HOST, port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/**
 * An instance restarted into a quiet hour: the request's deadline passes while no instance runs,
 * then a new one starts and receives no request at all (no health probe, no webhook, no
 * callback). It must still finalise the expired request and tell the user: the sweeper runs from
 * start-up, not from the first request.
 */
describe("an instance started with no traffic sweeps from start-up", () => {
  let stack: LocalStack;
  let quiet: ChildProcess | undefined;
  let output = "";

  beforeAll(async () => {
    stack = await startLocalStack({
      backend: "sqlite",
      env: {
        BATON_REQUEST_DEADLINE_MS: String(DEADLINE_MS),
        BATON_SWEEP_INTERVAL_MS: String(SWEEP_INTERVAL_MS),
        CRON_SECRET,
      },
    });
  });
  afterAll(async () => {
    quiet?.kill("SIGKILL");
    await stack?.stop();
  });

  it("answers Vercel Cron's GET with its CRON_SECRET, and nothing else", async () => {
    const sweep = (method: string, bearer?: string) =>
      fetch(`${stack.server.url}/api/internal/sweep`, {
        method,
        headers: bearer ? { authorization: `Bearer ${bearer}` } : {},
      });
    const cron = await sweep("GET", CRON_SECRET);
    expect(cron.status).toBe(200);
    expect(["swept", "busy"]).toContain(((await cron.json()) as { kind: string }).kind);
    expect((await sweep("GET", `${CRON_SECRET}x`)).status).toBe(401);
    expect((await sweep("GET")).status).toBe(401);
    // POST is the external scheduler's, with its own token, unset here.
    expect((await sweep("POST", CRON_SECRET)).status).toBe(404);
  });

  it("finalises a request that expired while no instance ran", async () => {
    const { threadTs } = await stack.mention("a job whose agent never answers [never] — ça traîne");
    const { botRequestId } = await stack.waitForDispatch(threadTs);
    await stack.waitForRecord(botRequestId, (r) => r.status === "running");
    await stack.server.kill("SIGKILL");
    await waitUntil(
      async () => ((await stack.record(botRequestId))?.deadlineAt ?? 0) < Date.now() - 500,
      {
        what: "the deadline to pass while no instance runs",
        timeoutMs: DEADLINE_MS + 5_000,
      },
    );
    expect((await stack.record(botRequestId))?.finalizedAt).toBeUndefined();

    const port = await getFreePort(BATON_HOST);
    // Cast: Next's types declare NODE_ENV as required; `next start` sets it itself.
    const childEnv: Record<string, string> = {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      NEXT_TELEMETRY_DISABLED: "1",
      BATON_NEXT_DIST_DIR: TEST_DIST_DIR,
      ...stack.env,
    };
    const env = childEnv as NodeJS.ProcessEnv;
    const child = spawn(
      process.execPath,
      [resolveNextBin(), "start", "-p", String(port), "-H", BATON_HOST],
      {
        cwd: BATON_WEB_DIR,
        env,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    quiet = child;
    child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    await waitUntil(() => listening(port), {
      what: "the quiet instance to listen",
      timeoutMs: 60_000,
    });

    const record = await stack
      .waitForRecord(botRequestId, (r) => r.finalizedAt !== undefined, 15_000)
      .catch((error: unknown) => {
        throw new Error(`not finalised: ${String(error)}\n${output.slice(-3_000)}`);
      });
    expect(record).toMatchObject({ status: "error", error: { code: "deadline" } });
    const notice = await stack.waitForReply(threadTs, (m) =>
      m.text.includes("did not answer in time"),
    );
    expect(notice.text).toContain("did not answer in time");
    expect(output).toContain("background work started");
  });
});
