import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSlackEmulator, type SlackEmulator } from "../slack-emulator";
import { createApiClient } from "../test-support/web-api-client";

// Two workspaces, an OAuth install into the second, tokens bound to their workspace, and the
// uninstall and revocation events, over real HTTP.

const FIRST = { teamId: "T0FIRST01", token: "xoxb-first-token", channel: "C0FIRST001" };
const SECOND = { teamId: "T0SECOND1", botUserId: "U0BOTTWO01", channel: "C0SECOND01" };
const REDIRECT = "http://127.0.0.1:9/api/slack/oauth/callback";

let emulator: SlackEmulator;
let events: Record<string, unknown>[];
let bot: Server;

beforeAll(async () => {
  events = [];
  bot = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      events.push(JSON.parse(body) as Record<string, unknown>);
      res.writeHead(200).end("ok");
    });
  });
  await new Promise<void>((resolve) => bot.listen(0, "127.0.0.1", resolve));
  emulator = createSlackEmulator({
    signingSecret: "workspaces-signing-secret",
    botToken: FIRST.token,
    botUserId: "U0BOTONE01",
    teamId: FIRST.teamId,
    channels: [{ id: FIRST.channel, name: "general" }],
    workspaces: [
      {
        teamId: SECOND.teamId,
        teamName: "Zweite Firma",
        botUserId: SECOND.botUserId,
        users: [{ id: "U0JOSE0001", name: "josé" }],
        channels: [{ id: SECOND.channel, name: "général" }],
      },
    ],
    retryDelaysMs: [],
  });
  await emulator.start();
  emulator.setWebhookUrl(`http://127.0.0.1:${(bot.address() as AddressInfo).port}/events`);
});

afterAll(async () => {
  await emulator?.stop();
  await new Promise((resolve) => bot?.close(resolve));
});

/** The person clicks "Allow": the authorize page redirects back with a code. */
async function authorize(params: Record<string, string>): Promise<URL> {
  const url = new URL(`${emulator.url}/oauth/v2/authorize`);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  const response = await fetch(url, { redirect: "manual" });
  expect(response.status).toBe(302);
  return new URL(response.headers.get("location") ?? "");
}

async function install(): Promise<string> {
  const { clientId, clientSecret } = emulator.oauthClient;
  const back = await authorize({
    client_id: clientId,
    scope: "chat:write,app_mentions:read",
    redirect_uri: REDIRECT,
    state: "opaque-state",
  });
  expect(back.origin + back.pathname).toBe(REDIRECT);
  expect(back.searchParams.get("state")).toBe("opaque-state");
  const code = back.searchParams.get("code") ?? "";
  const client = createApiClient(emulator.apiUrl, "");
  const form = { client_id: clientId, client_secret: clientSecret, code, redirect_uri: REDIRECT };
  const answer = await client.call("oauth.v2.access", form);
  expect(answer).toMatchObject({
    ok: true,
    token_type: "bot",
    bot_user_id: SECOND.botUserId,
    team: { id: SECOND.teamId, name: "Zweite Firma" },
  });
  // A code works once.
  expect(await client.call("oauth.v2.access", form)).toMatchObject({ error: "invalid_code" });
  return String(answer.access_token);
}

describe("several workspaces", () => {
  it("installs into the second workspace and binds the token to it", async () => {
    const token = await install();
    expect(emulator.workspace(SECOND.teamId).liveTokens()).toEqual([token]);
    const second = createApiClient(emulator.apiUrl, token);
    expect(await second.call("auth.test")).toMatchObject({
      team_id: SECOND.teamId,
      user_id: SECOND.botUserId,
    });
    const posted = await second.call("chat.postMessage", {
      channel: SECOND.channel,
      text: "Grüße",
    });
    expect(posted.ok).toBe(true);
    const [call] = emulator.calls("chat.postMessage").slice(-1);
    expect(call).toMatchObject({ token, teamId: SECOND.teamId });
    expect(emulator.workspace(SECOND.teamId).channelMessages(SECOND.channel)[0]?.text).toBe(
      "Grüße",
    );
  });

  it("refuses a post with the other workspace's token, as Slack does", async () => {
    const [token] = emulator.workspace(SECOND.teamId).liveTokens();
    const wrong = await createApiClient(emulator.apiUrl, token ?? "").call("chat.postMessage", {
      channel: FIRST.channel,
      text: "wrong workspace",
    });
    expect(wrong).toMatchObject({ ok: false, error: "channel_not_found" });
    const first = createApiClient(emulator.apiUrl, FIRST.token);
    expect(
      await first.call("chat.postMessage", { channel: SECOND.channel, text: "also wrong" }),
    ).toMatchObject({ ok: false, error: "channel_not_found" });
    expect(emulator.channelMessages(FIRST.channel)).toEqual([]);
  });

  it("refuses bad client credentials and a code for another redirect URL", async () => {
    const { clientId, clientSecret } = emulator.oauthClient;
    const client = createApiClient(emulator.apiUrl, "");
    expect(
      await client.call("oauth.v2.access", {
        client_id: clientId,
        client_secret: "nope",
        code: "x",
      }),
    ).toMatchObject({ ok: false, error: "bad_client_secret" });
    const back = await authorize({ client_id: clientId, redirect_uri: REDIRECT });
    const answer = await client.call("oauth.v2.access", {
      client_id: clientId,
      client_secret: clientSecret,
      code: back.searchParams.get("code") ?? "",
      redirect_uri: "http://127.0.0.1:9/elsewhere",
    });
    expect(answer).toMatchObject({ ok: false, error: "bad_redirect_uri" });
  });

  it("sends mentions from the second workspace with its team and bot", async () => {
    const delivery = await emulator.workspace(SECOND.teamId).mention({
      channel: SECOND.channel,
      user: "U0JOSE0001",
      text: "¿Puedes revisar `pnpm i --frozen-lockfile`?",
    });
    expect(delivery.status).toBe(200);
    const envelope = events.at(-1) as { team_id?: string; event?: { text?: string } };
    expect(envelope.team_id).toBe(SECOND.teamId);
    expect(envelope.event?.text).toContain(`<@${SECOND.botUserId}>`);
  });

  it("revokes the tokens on tokens_revoked and on app_uninstalled", async () => {
    const workspace = emulator.workspace(SECOND.teamId);
    const [token] = workspace.liveTokens();
    await workspace.revokeTokens();
    expect(events.at(-1)).toMatchObject({
      team_id: SECOND.teamId,
      event: { type: "tokens_revoked", tokens: { bot: [SECOND.botUserId] } },
    });
    expect(await createApiClient(emulator.apiUrl, token ?? "").call("auth.test")).toMatchObject({
      ok: false,
      error: "token_revoked",
    });
    const again = await install();
    await workspace.uninstall();
    expect(events.at(-1)).toMatchObject({ event: { type: "app_uninstalled" } });
    expect(await createApiClient(emulator.apiUrl, again).call("auth.test")).toMatchObject({
      error: "token_revoked",
    });
    expect(workspace.liveTokens()).toEqual([]);
    // The first workspace's token is untouched.
    expect((await createApiClient(emulator.apiUrl, FIRST.token).call("auth.test")).ok).toBe(true);
  });
});
