import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it, onTestFinished } from "vitest";
import { waitFor } from "./test-support/wait-for";

const packageDir = fileURLToPath(new URL("..", import.meta.url));

describe("CLI", () => {
  it("prints its URL, serves, and exits cleanly on SIGTERM", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts", "--port", "0"], {
      cwd: packageDir,
      env: { ...process.env, AGENT_LOCAL_AUTH_TOKEN: "cli-token", AGENT_LOCAL_LOG_LEVEL: "warn" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    onTestFinished(() => {
      if (child.exitCode === null) child.kill("SIGKILL");
    });
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8");
    });
    const exited = new Promise<number | null>((resolve) =>
      child.on("exit", (code) => resolve(code)),
    );

    const url = await waitFor(
      () => /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1],
      15_000,
      "the URL",
    );
    expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ ok: true, executor: "demo" });
    const unauthorized = await fetch(`${url}/v1/dispatch`, { method: "POST", body: "{}" });
    expect(unauthorized.status).toBe(401);

    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  });
});
