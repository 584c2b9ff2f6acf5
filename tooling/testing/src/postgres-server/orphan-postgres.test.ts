import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const fixture = fileURLToPath(new URL("./orphan-postgres.fixture.ts", import.meta.url));
const GONE_DEADLINE_MS = 10_000;

async function runFixture(mode: "exit" | "wait") {
  const child = spawn(process.execPath, ["--import", "tsx", fixture, mode], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const pid = await new Promise<number>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
      if (out.includes("\n")) resolve(Number.parseInt(out, 10));
    });
    child.once("exit", (code) => reject(new Error(`fixture exited early (${code})`)));
  });
  return { child, pid };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntilGone(pid: number): Promise<boolean> {
  const deadline = Date.now() + GONE_DEADLINE_MS;
  while (Date.now() < deadline) {
    if (!alive(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

describe("a PostgreSQL server does not outlive the test process", () => {
  it("when the process exits normally", async () => {
    const { pid } = await runFixture("exit");
    expect(await waitUntilGone(pid)).toBe(true);
  });

  it("when the process is killed with SIGKILL", async () => {
    const { child, pid } = await runFixture("wait");
    expect(alive(pid)).toBe(true);
    child.kill("SIGKILL");
    expect(await waitUntilGone(pid)).toBe(true);
  });
});
