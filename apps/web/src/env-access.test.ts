import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, parseEnv } from "./env";

const MINIMAL = {
  BATON_PUBLIC_URL: "https://baton.example.com",
  BATON_CALLBACK_SECRETS: "s".repeat(32),
  AGENT_URL: "http://127.0.0.1:4020",
  SLACK_SIGNING_SECRET: "signing-secret",
  SLACK_BOT_TOKEN: "xoxb-token",
};

function routesFile(content: string): string {
  const path = join(mkdtempSync(join(tmpdir(), "baton-routes-")), "routes.json");
  writeFileSync(path, content);
  return path;
}

describe("access and routing configuration", () => {
  it("reads the access lists as comma-separated ids, empty by default", () => {
    const env = parseEnv({
      ...MINIMAL,
      BATON_DENIED_USERS: "U0MALLORY1, U0EVE00001",
      BATON_ALLOWED_CHANNELS: "C0GENERAL1",
    });
    expect(env.BATON_DENIED_USERS).toEqual(["U0MALLORY1", "U0EVE00001"]);
    expect(env.BATON_ALLOWED_CHANNELS).toEqual(["C0GENERAL1"]);
    expect(env.BATON_ALLOWED_WORKSPACES).toEqual([]);
    expect(env.BATON_ROUTES_FILE).toBeUndefined();
  });

  it("accepts a valid routing file", () => {
    const path = routesFile(
      JSON.stringify({
        agents: { ops: { url: "http://127.0.0.1:4021", token: "t" } },
        routes: [{ channel: "C0OPS00001", agent: "ops", settings: { repository: "acme/infra" } }],
      }),
    );
    expect(parseEnv({ ...MINIMAL, BATON_ROUTES_FILE: path }).BATON_ROUTES_FILE).toBe(path);
  });

  it("refuses a missing or broken routing file at start-up, naming every problem", () => {
    const broken = routesFile(
      JSON.stringify({
        agents: { ops: { url: "ftp://nope" } },
        routes: [{ agent: "ghost" }],
      }),
    );
    let message = "";
    try {
      parseEnv({ ...MINIMAL, BATON_ROUTES_FILE: broken });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      message = (error as Error).message;
    }
    expect(message).toContain("agents.ops.url");
    expect(message).toContain('no agent named "ghost"');
    expect(message).toContain("a route names a workspace, a channel, or both");
    expect(() => parseEnv({ ...MINIMAL, BATON_ROUTES_FILE: "/nonexistent/routes.json" })).toThrow(
      /BATON_ROUTES_FILE: cannot read/,
    );
  });
});
