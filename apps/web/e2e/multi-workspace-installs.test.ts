import { randomBytes } from "node:crypto";
import { identityIndexKey, identityKey } from "@baton/core";
import {
  type BackendInspector,
  type BatonServerHandle,
  type LocalStack,
  openBackendInspector,
  startBatonServer,
  startLocalStack,
  waitUntil,
} from "@baton/stack";
import { FIXTURE_WORKSPACE } from "@baton/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { INSTALLATION_KEY_PREFIX } from "../src/install/installation-store";
import { sleep } from "./support/sleep";

// Installing Baton in a second Slack workspace through the (emulated) OAuth flow, over real HTTP:
// the env token keeps serving the first workspace, the second is answered with its own token,
// tokens are sealed at rest and survive a key rotation, and app_uninstalled / tokens_revoked
// remove the installation and the workspace's linked identities.

const BACKENDS = ["sqlite", "redis"] as const;
const AGENT_DEMO = { delayMs: 200, progressSteps: 0 };
const SECOND = {
  teamId: "T0ZWEITE1",
  teamName: "Zweite Firma",
  botUserId: "U0BOTZWEI1",
  channel: { id: "C0ZWEITE01", name: "général" },
  human: { id: "U0JOSE0001", name: "josé", realName: "José Müller-Ørsted" },
};
const OAUTH_CLIENT = {
  clientId: "4242424242.1717171717",
  clientSecret: randomBytes(16).toString("hex"),
};
const KEY_A = randomBytes(32).toString("hex");
const KEY_B = randomBytes(32).toString("base64");
const REQUEST = [
  "Why does this fail on CI but not locally? Logs: <https://ci.example.com/r/42|run 42>",
  "```sh",
  "pnpm install --frozen-lockfile --prefer-offline && pnpm -r --filter=./packages/** build --if-present",
  "```",
  "Merci d’avance — ça bloque la release 🚢",
].join("\n");
const UNRESOLVED_LINE = "Could not resolve token for installation";

describe.each(BACKENDS)("multi-workspace installs end to end on %s", (backend) => {
  let stack: LocalStack;
  let inspector: BackendInspector;
  let rotated: BatonServerHandle | undefined;

  beforeAll(async () => {
    stack = await startLocalStack({
      backend,
      agent: { demo: AGENT_DEMO },
      slack: {
        workspaces: [{ ...SECOND, users: [SECOND.human], channels: [SECOND.channel] }],
        oauth: OAUTH_CLIENT,
      },
      env: {
        SLACK_CLIENT_ID: OAUTH_CLIENT.clientId,
        SLACK_CLIENT_SECRET: OAUTH_CLIENT.clientSecret,
        BATON_INSTALL_ENCRYPTION_KEY: KEY_A,
      },
    });
    inspector = await openBackendInspector(stack);
  });
  afterAll(async () => {
    await rotated?.stop();
    await inspector?.close();
    await stack?.stop();
  });

  const second = () => stack.slack.workspace(SECOND.teamId);
  const serverOutput = () => [stack.server, ...(rotated ? [rotated] : [])].map((s) => s.output());

  /** A browser: Baton's install page, Slack's authorize page, back to Baton's callback. */
  async function installThroughOAuth(): Promise<{ status: number; page: string }> {
    const start = await fetch(`${stack.publicUrl}/api/slack/install`, { redirect: "manual" });
    expect(start.status).toBe(302);
    const cookie = (start.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    const authorize = new URL(start.headers.get("location") ?? "");
    expect(authorize.searchParams.get("redirect_uri")).toBe(
      `${stack.publicUrl}/api/slack/oauth/callback`,
    );
    authorize.searchParams.set("team", SECOND.teamId);
    const allowed = await fetch(authorize, { redirect: "manual" });
    expect(allowed.status).toBe(302);
    const callback = await fetch(allowed.headers.get("location") ?? "", {
      headers: { cookie },
      redirect: "manual",
    });
    return { status: callback.status, page: await callback.text() };
  }

  async function storedInstallation() {
    const dump = await inspector.dump();
    return dump.entries.find((e) => e.key.includes(`${INSTALLATION_KEY_PREFIX}${SECOND.teamId}`));
  }

  async function mentionInSecond(text: string) {
    const delivery = await second().mention({
      channel: SECOND.channel.id,
      user: SECOND.human.id,
      text: `<@${SECOND.botUserId}> ${text}`,
    });
    if (delivery.status !== 200 || !delivery.ts) throw new Error(`webhook: ${delivery.status}`);
    return delivery.ts;
  }

  async function answeredInSecond(threadTs: string) {
    return waitUntil(
      () =>
        second()
          .repliesIn(SECOND.channel.id, threadTs)
          .find((m) => m.isBot && m.text.includes("Baton demo agent")),
      {
        what: "the answer in the second workspace",
        timeoutMs: 30_000,
        describe: () => serverOutput().join("\n").slice(-4_000),
      },
    );
  }

  const postsIn = (channel: string) =>
    stack.slack.calls("chat.postMessage").filter((c) => c.params.channel === channel && c.ok);

  it("refuses a callback whose state was not issued to this browser", async () => {
    const start = await fetch(`${stack.publicUrl}/api/slack/install`, { redirect: "manual" });
    const authorize = new URL(start.headers.get("location") ?? "");
    const allowed = await fetch(authorize, { redirect: "manual" });
    // No cookie: another browser, or a link sent to a victim.
    const callback = await fetch(allowed.headers.get("location") ?? "", { redirect: "manual" });
    expect(callback.status).toBe(400);
    expect(await callback.text()).toContain("Baton was not installed");
    expect(await storedInstallation()).toBeUndefined();
  });

  it("installs into the second workspace through OAuth and stores the token sealed", async () => {
    const { status, page } = await installThroughOAuth();
    expect(status).toBe(200);
    expect(page).toContain("Baton is now installed in Zweite Firma");
    const [token] = second().liveTokens();
    expect(token).toMatch(/^xoxb-/);
    const stored = await storedInstallation();
    expect(stored).toBeDefined();
    const dump = JSON.stringify((await inspector.dump()).entries);
    expect(dump).not.toContain(token);
    expect(dump).not.toContain(FIXTURE_WORKSPACE.botToken);
  });

  it("answers a mention in the second workspace with that workspace's token", async () => {
    const threadTs = await mentionInSecond(REQUEST);
    const answer = await answeredInSecond(threadTs);
    expect(answer.text).toContain("Baton demo agent");
    const dispatch = stack.agent
      .dispatches()
      .find((d) => d.request?.context.threadId === `slack:${SECOND.channel.id}:${threadTs}`);
    expect(dispatch?.request?.requester).toMatchObject({
      userId: SECOND.human.id,
      workspaceId: SECOND.teamId,
    });
    // The mention of this workspace's bot user is recognised as the bot, not left in the prompt.
    expect(dispatch?.request?.prompt).toContain("frozen-lockfile");
    expect(dispatch?.request?.prompt).not.toContain(SECOND.botUserId);
    const [token] = second().liveTokens();
    const posts = postsIn(SECOND.channel.id);
    expect(posts.length).toBeGreaterThan(0);
    for (const post of posts) expect(post).toMatchObject({ token, teamId: SECOND.teamId });
    // No call went out with the second workspace's token to the first workspace, or failed.
    expect(stack.slack.calls().filter((c) => c.error === "channel_not_found")).toEqual([]);
  });

  it("uploads an answer's files in the second workspace with that workspace's token", async () => {
    const threadTs = await mentionInSecond("[file] the export latency report, please");
    const withFiles = await waitUntil(
      () =>
        second()
          .repliesIn(SECOND.channel.id, threadTs)
          .find((m) => m.isBot && Array.isArray(m.raw.files)),
      { what: "the answer's files in the second workspace", timeoutMs: 30_000 },
    );
    expect((withFiles.raw.files as { name: string }[]).map((f) => f.name)).toEqual([
      "latency-report.csv",
      "rollout-notes.md",
    ]);
    const [token] = second().liveTokens();
    const completed = stack.slack
      .calls("files.completeUploadExternal")
      .filter((c) => c.params.channel_id === SECOND.channel.id);
    expect(completed.length).toBeGreaterThan(0);
    for (const call of completed) expect(call).toMatchObject({ ok: true, token });
  });

  it("still answers the first workspace with SLACK_BOT_TOKEN", async () => {
    const { threadTs } = await stack.mention(`Und hier? ${REQUEST}`);
    await stack.waitForReply(threadTs, (m) => m.isBot && m.text.includes("Baton demo agent"));
    const posts = postsIn(stack.channel);
    expect(posts.length).toBeGreaterThan(0);
    for (const post of posts) {
      expect(post).toMatchObject({
        token: FIXTURE_WORKSPACE.botToken,
        teamId: FIXTURE_WORKSPACE.teamId,
      });
    }
  });

  it("after a key rotation (B current, A old) still posts, and re-seals the token under B", async () => {
    const before = JSON.stringify((await storedInstallation())?.value);
    await stack.server.stop();
    rotated = await startBatonServer({
      env: {
        ...stack.env,
        BATON_INSTALL_ENCRYPTION_KEY: KEY_B,
        BATON_INSTALL_ENCRYPTION_KEYS_OLD: KEY_A,
      },
      port: stack.server.port,
    });
    const threadTs = await mentionInSecond("Nach der Schlüsselrotation: geht es noch?");
    await answeredInSecond(threadTs);
    const after = JSON.stringify((await storedInstallation())?.value);
    const kid = (text: string) => /\\?"kid\\?":\\?"([0-9a-f]+)/.exec(text)?.[1];
    expect(kid(after)).toBeDefined();
    expect(kid(after)).not.toBe(kid(before));
    expect(after).not.toContain(second().liveTokens()[0]);
  });

  it("app_uninstalled removes the installation and the workspace's identities", async () => {
    const linked = { userId: SECOND.human.id };
    await inspector.writeRaw(
      "value",
      identityKey("slack", SECOND.teamId, SECOND.human.id),
      JSON.stringify({ accountId: "acct-josé", linkedAt: Date.now() }),
      86_400_000,
    );
    await inspector.writeRaw(
      "list-item",
      identityIndexKey("slack", SECOND.teamId),
      JSON.stringify(linked.userId),
      86_400_000,
    );
    const firstIdentity = identityKey("slack", FIXTURE_WORKSPACE.teamId, "U0HUMAN001");
    await inspector.writeRaw(
      "value",
      firstIdentity,
      JSON.stringify({ accountId: "acct-ada", linkedAt: Date.now() }),
      86_400_000,
    );

    const delivery = await second().uninstall();
    expect(delivery.status).toBe(200);
    await waitUntil(async () => ((await storedInstallation()) ? undefined : true), {
      what: "the installation removed",
      timeoutMs: 10_000,
    });
    const keys = (await inspector.dump()).entries.map((e) => e.key);
    expect(keys.some((k) => k.includes(`identity:slack:${SECOND.teamId}:`))).toBe(false);
    expect(keys.some((k) => k.includes(firstIdentity))).toBe(true);

    const linesBefore = countLines(serverOutput(), UNRESOLVED_LINE);
    const threadTs = await mentionInSecond("Bist du noch da?");
    await sleep(2_000);
    expect(second().repliesIn(SECOND.channel.id, threadTs)).toEqual([]);
    expect(countLines(serverOutput(), UNRESOLVED_LINE)).toBe(linesBefore + 1);
  });

  it("tokens_revoked removes a fresh installation, even one no configured key opens", async () => {
    const { status } = await installThroughOAuth();
    expect(status).toBe(200);
    expect(await storedInstallation()).toBeDefined();
    // The operator dropped the key the token was sealed with: the token cannot be read any more.
    await rotated?.stop();
    rotated = await startBatonServer({
      env: { ...stack.env, BATON_INSTALL_ENCRYPTION_KEY: randomBytes(32).toString("hex") },
      port: stack.server.port,
    });
    const delivery = await second().revokeTokens();
    expect(delivery.status).toBe(200);
    await waitUntil(async () => ((await storedInstallation()) ? undefined : true), {
      what: "the installation removed after tokens_revoked",
      timeoutMs: 10_000,
    });
    expect(serverOutput().join("\n")).toContain("a Slack installation cannot be read");
  });
});

function countLines(outputs: string[], needle: string): number {
  return outputs.reduce((sum, output) => sum + output.split(needle).length - 1, 0);
}
