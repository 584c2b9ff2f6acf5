import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SlackEmulator } from "../slack-emulator";
import {
  startWebApiEmulator,
  WEB_API_TOKEN as TOKEN,
  type WebApiEmulator,
} from "../test-support/web-api-emulator";

// Authentication, routing, users/channels and injected faults over real HTTP.

const C = "C0000000001";
const clock = 1_700_000_000_000;
let emulator: SlackEmulator;
let raw: WebApiEmulator["raw"];
let call: WebApiEmulator["call"];

beforeAll(async () => {
  ({ emulator, raw, call } = await startWebApiEmulator(() => clock));
});

afterAll(() => emulator.stop());

describe("authentication and routing", () => {
  it("accepts the token in the Authorization header or the form body", async () => {
    expect((await call("auth.test")).ok).toBe(true);
    const response = await raw("auth.test", { body: new URLSearchParams({ token: TOKEN }) });
    expect(await response.json()).toMatchObject({ ok: true, user_id: "U0BOT", team_id: "T0TEAM" });
    expect(emulator.calls("auth.test").map((c) => c.tokenSource)).toEqual(["header", "body"]);
  });

  it("answers not_authed, invalid_auth and unknown_method like Slack (HTTP 200)", async () => {
    expect((await raw("auth.test", {})).status).toBe(200);
    expect(await (await raw("auth.test", {})).json()).toMatchObject({
      ok: false,
      error: "not_authed",
    });
    expect(await call("auth.test", {}, "xoxb-wrong")).toMatchObject({
      ok: false,
      error: "invalid_auth",
    });
    expect(await call("nope.never")).toMatchObject({ ok: false, error: "unknown_method" });
    const json = await raw("auth.test", {
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token: TOKEN }),
    });
    expect(await json.json()).toMatchObject({ ok: false, error: "not_authed" });
  });

  it("records calls without the token", async () => {
    await call("users.info", { user: "U0000000001" });
    const [last] = emulator.calls("users.info").slice(-1);
    expect(last).toMatchObject({
      method: "users.info",
      encoding: "form",
      status: 200,
      ok: true,
      time: clock,
    });
    expect(last?.params).toEqual({ user: "U0000000001" });
  });
});

describe("users and channels", () => {
  it("users.info returns profiles the adapter reads", async () => {
    expect(await call("users.info", { user: "U0000000001" })).toMatchObject({
      user: { id: "U0000000001", name: "alice", is_bot: false, profile: { display_name: "alice" } },
    });
    expect(await call("users.info", { user: "U0BOT" })).toMatchObject({ user: { is_bot: true } });
    expect(await call("users.info", { user: "UNOBODY" })).toMatchObject({
      error: "user_not_found",
    });
  });

  it("conversations.info and conversations.open", async () => {
    expect(await call("conversations.info", { channel: C })).toMatchObject({
      channel: { id: C, name: "general", is_channel: true, is_private: false, is_im: false },
    });
    expect(await call("conversations.info", { channel: "C0MISSING" })).toMatchObject({
      error: "channel_not_found",
    });
    const dm = await call("conversations.open", { users: "U0000000001" });
    expect(String((dm.channel as { id: string }).id)).toMatch(/^D/);
    expect(await call("conversations.open", { users: "U0000000001" })).toMatchObject({
      already_open: true,
    });
  });
});

describe("fault injection over HTTP", () => {
  it("a 429 carries Retry-After and Slack's ratelimited body, for `times` calls", async () => {
    emulator.injectFault("chat.postMessage", { status: 429, retryAfterSeconds: 3, times: 2 });
    for (let i = 0; i < 2; i++) {
      const response = await raw("chat.postMessage", {
        headers: { authorization: `Bearer ${TOKEN}` },
        body: new URLSearchParams({ channel: C, text: "x" }),
      });
      expect(response.status).toBe(429);
      expect(response.headers.get("retry-after")).toBe("3");
      expect(await response.json()).toEqual({ ok: false, error: "ratelimited" });
    }
    expect((await call("chat.postMessage", { channel: C, text: "x" })).ok).toBe(true);
  });

  it("a slackError fault answers HTTP 200 with that error; * matches any method", async () => {
    emulator.injectFault("*", { slackError: "fatal_error", times: 1 });
    expect(await call("users.info", { user: "U0BOT" })).toEqual({
      ok: false,
      error: "fatal_error",
    });
    expect((await call("users.info", { user: "U0BOT" })).ok).toBe(true);
  });

  it("rejects a fault that does nothing", () => {
    expect(() => emulator.injectFault("chat.update", { times: 1 })).toThrow(
      expect.objectContaining({ code: "INVALID_OPTIONS" }),
    );
  });
});
