import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createLocalAgent,
  type LocalAgentHandle,
  type LocalStack,
  startLocalStack,
  waitUntil,
} from "@baton/stack";
import { FIXTURE_WORKSPACE } from "@baton/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sleep } from "./support/sleep";

const BACKENDS = ["sqlite", "redis"] as const;
const AGENT_DEMO = { delayMs: 200, progressSteps: 0 };
const MALLORY = { id: "U0MALLORY1", name: "mallory", realName: "Mallory Ødegård" };
const SECRET = { id: "C0SECRET01", name: "secret-ops" };
const BUILDS = { id: "C0BUILDS01", name: "builds" };
const GENERAL = FIXTURE_WORKSPACE.channel.id;
const REQUEST =
  "Why does `pnpm deploy --prod --filter=@acme/api` fail? See <https://ci.example.com/r/7|run 7> — merci!";

function routes(buildsAgentUrl: string, buildsSettings: Record<string, string>) {
  return JSON.stringify({
    agents: { builds: { url: buildsAgentUrl, preamble: "You are the build agent." } },
    routes: [{ channel: BUILDS.id, agent: "builds", settings: buildsSettings }],
  });
}

describe.each(BACKENDS)("access and routing end to end on %s", (backend) => {
  let stack: LocalStack;
  let first: LocalAgentHandle;
  let second: LocalAgentHandle;
  let dir: string;
  let routesPath: string;

  beforeAll(async () => {
    first = await createLocalAgent({ demo: AGENT_DEMO }).start();
    second = await createLocalAgent({ demo: AGENT_DEMO }).start();
    dir = mkdtempSync(join(tmpdir(), "baton-e2e-routes-"));
    routesPath = join(dir, "routes.json");
    writeFileSync(routesPath, routes(first.url, { repository: "acme/ledger", branch: "main" }));
    stack = await startLocalStack({
      backend,
      agent: { demo: AGENT_DEMO },
      slack: { users: [MALLORY], channels: [SECRET, BUILDS] },
      env: {
        BATON_DENIED_USERS: MALLORY.id,
        BATON_DENIED_CHANNELS: SECRET.id,
        BATON_ROUTES_FILE: routesPath,
      },
    });
  });
  afterAll(async () => {
    await stack?.stop();
    await first?.stop();
    await second?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function mention(channel: string, user: string, text: string, threadTs?: string) {
    const delivery = await stack.slack.mention({
      channel,
      user,
      text: `<@${stack.slack.botUserId}> ${text}`,
      ...(threadTs ? { threadTs } : {}),
    });
    if (delivery.status !== 200 || !delivery.ts) throw new Error(`webhook: ${delivery.status}`);
    return delivery;
  }

  const ephemeralsFor = (user: string, channel: string) =>
    stack.slack.ephemerals().filter((e) => e.user === user && e.channel === channel);

  const allDispatches = () => [
    ...stack.agent.dispatches(),
    ...first.dispatches(),
    ...second.dispatches(),
  ];

  it("a denied user gets one private notice, also when Slack redelivers; nothing is dispatched", async () => {
    const delivery = await mention(GENERAL, MALLORY.id, REQUEST);
    const [notice] = await waitUntil(
      () =>
        ephemeralsFor(MALLORY.id, GENERAL).length > 0
          ? ephemeralsFor(MALLORY.id, GENERAL)
          : undefined,
      { what: "the refusal notice", timeoutMs: 15_000 },
    );
    expect(notice?.text).toContain("you are not allowed to send me requests");
    const retry = await stack.slack.redeliver(delivery.eventId, "http_timeout");
    expect(retry.status).toBe(200);
    await sleep(1_500);
    expect(ephemeralsFor(MALLORY.id, GENERAL)).toHaveLength(1);
    expect(await stack.botRequestIdFor(delivery.ts as string)).toBeUndefined();
    expect(stack.slack.repliesIn(GENERAL, delivery.ts as string)).toEqual([]);
    expect(allDispatches().filter((d) => d.request?.prompt.includes("pnpm deploy"))).toEqual([]);
  });

  it("a denied channel gets one private notice and nothing is dispatched", async () => {
    const human = FIXTURE_WORKSPACE.human.id;
    const delivery = await mention(SECRET.id, human, REQUEST);
    await waitUntil(() => (ephemeralsFor(human, SECRET.id).length > 0 ? true : undefined), {
      what: "the channel refusal notice",
      timeoutMs: 15_000,
    });
    await sleep(1_000);
    expect(ephemeralsFor(human, SECRET.id)).toHaveLength(1);
    expect(ephemeralsFor(human, SECRET.id)[0]?.text).toContain("in this channel");
    expect(await stack.botRequestIdFor(delivery.ts as string)).toBeUndefined();
    expect(
      allDispatches().filter((d) => d.request?.context.channelId === `slack:${SECRET.id}`),
    ).toEqual([]);
  });

  it("the requester reaches the agent of an unrouted channel (the AGENT_URL one)", async () => {
    const { threadTs } = await stack.mention(REQUEST);
    const dispatch = await stack.waitForDispatch(threadTs);
    expect(dispatch.request?.requester).toMatchObject({
      userId: FIXTURE_WORKSPACE.human.id,
      workspaceId: FIXTURE_WORKSPACE.teamId,
    });
    expect(dispatch.request?.requester?.displayName).toBeTruthy();
    expect(dispatch.request?.settings).toBeUndefined();
  });

  it("routes #builds to its agent; after a routing change a follow-up still reaches the first", async () => {
    const human = FIXTURE_WORKSPACE.human.id;
    const opening = await mention(BUILDS.id, human, REQUEST);
    const threadTs = opening.ts as string;
    const toFirst = await waitUntil(
      () =>
        first
          .dispatches()
          .find((d) => d.outcome === "accepted" && d.request?.context.threadId.endsWith(threadTs)),
      { what: "the routed dispatch", timeoutMs: 20_000 },
    );
    expect(toFirst.request).toMatchObject({
      settings: { repository: "acme/ledger", branch: "main" },
      context: { preamble: "You are the build agent." },
      requester: { userId: human, workspaceId: FIXTURE_WORKSPACE.teamId },
    });
    const id = await stack.botRequestIdFor(threadTs);
    await stack.waitForRecord(id as string, (r) => r.finalizedAt !== undefined);

    // The table now sends #builds to the second agent; the app re-reads the file by itself.
    writeFileSync(routesPath, routes(second.url, { repository: "acme/ledger-next" }));
    await sleep(1_500);
    const follow = await stack.slack.message({
      channel: BUILDS.id,
      user: human,
      text: "and on arm64?",
      threadTs,
    });
    expect(follow.status).toBe(200);
    const followed = await waitUntil(
      () =>
        first
          .dispatches()
          .filter((d) => d.outcome === "accepted" && d.request?.context.threadId.endsWith(threadTs))
          .at(1),
      { what: "the follow-up at the first agent", timeoutMs: 20_000 },
    );
    expect(followed.sessionId).toBe(toFirst.agentSessionId);
    expect(followed.request?.settings).toEqual({ repository: "acme/ledger", branch: "main" });

    // A new conversation in #builds follows the new table.
    const fresh = await mention(BUILDS.id, human, "a new question for the new agent");
    const toSecond = await waitUntil(
      () =>
        second.dispatches().find((d) => d.request?.context.threadId.endsWith(fresh.ts as string)),
      { what: "the new conversation at the second agent", timeoutMs: 20_000 },
    );
    expect(toSecond.request?.settings).toEqual({ repository: "acme/ledger-next" });
    expect(
      second.dispatches().filter((d) => d.request?.context.threadId.endsWith(threadTs)),
    ).toEqual([]);
  });
});
