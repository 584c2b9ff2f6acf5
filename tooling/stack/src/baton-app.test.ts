import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getFreePort } from "@baton/testing";
import { afterEach, describe, expect, it } from "vitest";
import {
  assertBatonBuilt,
  BATON_WEB_DIR,
  BatonBuildError,
  baseChildEnv,
  resolveNextBin,
  TEST_DIST_DIR,
} from "./baton-app";
import { startBatonServer } from "./baton-server";
import { createCallbackRecorder } from "./callback-recorder";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function emptyAppDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "baton-app-"));
  dirs.push(dir);
  return dir;
}

describe("the built app", () => {
  it("resolves the next CLI installed for apps/web", () => {
    const bin = resolveNextBin();
    expect(bin).toMatch(/node_modules[/\\]next[/\\]dist[/\\]bin[/\\]next$/);
    expect(existsSync(bin)).toBe(true);
  });

  it("says how to build when there is no build", async () => {
    const appDir = emptyAppDir();
    expect(() => assertBatonBuilt(appDir)).toThrow(BatonBuildError);
    expect(() => assertBatonBuilt(appDir)).toThrow("pnpm --filter @baton/web build");
    await expect(startBatonServer({ env: {}, appDir })).rejects.toMatchObject({
      code: "BUILD_MISSING",
    });
  });

  it("fails at once, with the server's output, when next start dies at boot", async () => {
    // Beside the app, so `next` resolves; a BUILD_ID but no build, so `next start` exits at once.
    const appDir = mkdtempSync(join(BATON_WEB_DIR, ".boot-failure-"));
    dirs.push(appDir);
    mkdirSync(join(appDir, TEST_DIST_DIR));
    writeFileSync(join(appDir, TEST_DIST_DIR, "BUILD_ID"), "not-a-build");
    const started = Date.now();
    const failure = await startBatonServer({ env: {}, appDir }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toMatchObject({ code: "SERVER_START_FAILED" });
    expect(String(failure)).toContain("exited before it was ready");
    expect(String(failure)).toContain("--- exited (code");
    // The ready timeout is 60 s; a dead server is reported as soon as it is seen dead.
    expect(Date.now() - started).toBeLessThan(20_000);
  }, 30_000);

  it("starts children without the parent's configuration", () => {
    const names = ["BATON_STATE_BACKEND", "SLACK_BOT_TOKEN", "REDIS_URL", "NODE_ENV"] as const;
    const saved = names.map((name) => process.env[name]);
    try {
      for (const name of names) process.env[name] = "from-the-parent";
      const env = baseChildEnv();
      for (const name of names) expect(env[name]).toBeUndefined();
      expect(env.NEXT_TELEMETRY_DISABLED).toBe("1");
      expect(env.PATH).toBe(process.env.PATH);
    } finally {
      names.forEach((name, index) => {
        if (saved[index] === undefined) delete process.env[name];
        else process.env[name] = saved[index];
      });
    }
  });
});

describe("createCallbackRecorder", () => {
  it("records each attempt's headers and how it ended, network errors included", async () => {
    const recorder = createCallbackRecorder();
    const url = `http://127.0.0.1:${await getFreePort()}/api/internal/bot-session-callback/req_1`;
    await expect(
      recorder.fetch(url, { method: "POST", headers: { "webhook-id": "msg_1" }, body: "{}" }),
    ).rejects.toThrow();
    expect(recorder.attempts()).toEqual([
      expect.objectContaining({
        botRequestId: "req_1",
        headers: { "webhook-id": "msg_1" },
        body: "{}",
        error: expect.any(String),
      }),
    ]);
    expect(recorder.attempts()[0]?.status).toBeUndefined();
  });
});
