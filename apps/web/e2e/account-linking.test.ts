import { ACCOUNT_LINK_PATH, signAccountLinkConfirmation } from "@baton/agent-protocol";
import { signLinkToken, UNLINK_NOTICES } from "@baton/core";
import { type LocalStack, startLocalStack, waitUntil } from "@baton/stack";
import { FIXTURE_WORKSPACE } from "@baton/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sleep } from "./support/sleep";

const BACKENDS = ["sqlite", "redis"] as const;
const AGENT_DEMO = { delayMs: 200, progressSteps: 0 };
const ADA = FIXTURE_WORKSPACE.human;
const GRACE = { id: "U0GRACE001", name: "grace", realName: "Grace Hopper" };
const HEDY = { id: "U0HEDY0001", name: "hedy", realName: "Hedy Lamarr" };
const KATE = { id: "U0KATE0001", name: "katherine", realName: "Katherine Johnson" };
const ZOE = { id: "U0ZOE00001", name: "zoe", realName: "Zoë Ørsted" };
const GENERAL = FIXTURE_WORKSPACE.channel.id;
const REQUEST = [
  "Déploiement bloqué — can you check why this fails on CI?",
  "```",
  "pnpm install --frozen-lockfile --prefer-offline",
  "pnpm turbo run build --filter=@acme/api... --concurrency=2 --force",
  "```",
  "Logs: <https://ci.example.com/runs/4242|run 4242>, see *step 3*. Merci !",
].join("\n");

describe.each(BACKENDS)("account linking end to end on %s, two instances", (backend) => {
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startLocalStack({
      backend,
      instances: 2,
      agent: { demo: AGENT_DEMO },
      slack: { users: [GRACE, HEDY, KATE, ZOE] },
      env: { BATON_ACCOUNT_LINKING: "required" },
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const linkSecret = () => stack.env.BATON_LINK_SECRETS as string;
  const ephemeralsFor = (user: string) =>
    stack.slack.ephemerals().filter((e) => e.user === user && e.channel === GENERAL);

  async function mention(user: string, text: string) {
    const delivery = await stack.slack.mention({
      channel: GENERAL,
      user,
      text: `<@${stack.slack.botUserId}> ${text}`,
    });
    if (delivery.status !== 200 || !delivery.ts) throw new Error(`webhook: ${delivery.status}`);
    return delivery as typeof delivery & { ts: string };
  }

  /** The link in the user's `nth` private notice (1-based), once it arrived. */
  async function linkSentTo(user: string, nth = 1): Promise<URL> {
    const notice = await waitUntil(() => ephemeralsFor(user)[nth - 1], {
      what: `private link #${nth} for ${user}`,
      timeoutMs: 20_000,
    });
    const raw = /https?:\/\/\S+\/link\?token=[^\s>|]+/.exec(notice.text)?.[0];
    if (!raw) throw new Error(`no link in: ${notice.text}`);
    return new URL(raw);
  }

  /** The user opens the link in a browser and submits the pre-filled sign-in form. */
  async function openLink(link: URL, accountId: string): Promise<Response> {
    const page = await fetch(link);
    expect(page.status).toBe(200);
    const form = await page.text();
    const token = /name="token" value="([^"]+)"/.exec(form)?.[1];
    expect(token).toBe(link.searchParams.get("token"));
    return fetch(new URL("/link", link), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token: token ?? "", accountId }),
    });
  }

  const dispatchesFor = (threadTs: string) =>
    stack.agent
      .dispatches()
      .filter(
        (d) =>
          d.outcome === "accepted" &&
          d.request?.context.threadId === `slack:${GENERAL}:${threadTs}`,
      );

  /** The thread's request is dispatched, answered, and finished: returns the dispatch. */
  async function answered(threadTs: string) {
    const dispatch = await stack.waitForDispatch(threadTs, 20_000);
    await stack.waitForRecord(dispatch.botRequestId, (r) => r.finalizedAt !== undefined, 20_000);
    return dispatch;
  }

  /** Bot messages in the thread carrying the demo agent's answer. */
  const answersIn = (threadTs: string) =>
    stack.replies(threadTs).filter((m) => m.isBot && m.text.includes("- Requester:"));

  async function linkUser(user: { id: string }, accountId: string) {
    const before = ephemeralsFor(user.id).length;
    const opening = await mention(user.id, `first request of ${user.id}`);
    const link = await linkSentTo(user.id, before + 1);
    expect((await openLink(link, accountId)).status).toBe(200);
    await answered(opening.ts);
  }

  it("an unlinked user gets one private link and nothing runs; the link opened twice at once replays the request once, as the user's account", async () => {
    const delivery = await mention(ADA.id, REQUEST);
    const link = await linkSentTo(ADA.id);
    expect(ephemeralsFor(ADA.id)[0]?.text).toContain("I need your account first");
    // Slack retries the delivery: still one link, still nothing stored or dispatched.
    expect((await stack.slack.redeliver(delivery.eventId, "http_timeout")).status).toBe(200);
    await sleep(1_500);
    expect(ephemeralsFor(ADA.id)).toHaveLength(1);
    expect(await stack.botRequestIdFor(delivery.ts)).toBeUndefined();
    expect(dispatchesFor(delivery.ts)).toEqual([]);
    expect(stack.replies(delivery.ts)).toEqual([]);

    // Two tabs submit the form at once; the proxy sends them to different instances.
    const [a, b] = await Promise.all([
      openLink(link, "acct_ada-lovelace"),
      openLink(link, "acct_ada-lovelace"),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const dispatch = await answered(delivery.ts);
    expect(dispatch.request?.requester).toMatchObject({
      userId: ADA.id,
      workspaceId: FIXTURE_WORKSPACE.teamId,
      accountId: "acct_ada-lovelace",
    });
    expect(dispatch.request?.prompt).toContain("--frozen-lockfile --prefer-offline");
    await sleep(1_000);
    expect(dispatchesFor(delivery.ts)).toHaveLength(1);
    expect(answersIn(delivery.ts)).toHaveLength(1);
    expect(answersIn(delivery.ts)[0]?.text).toContain("account acct_ada-lovelace");

    // Linked now: the next request goes straight through, with no link.
    const next = await mention(ADA.id, "and on the release branch?");
    expect((await answered(next.ts)).request?.requester?.accountId).toBe("acct_ada-lovelace");
    expect(ephemeralsFor(ADA.id)).toHaveLength(1);
  });

  it("the same confirmation sent to both instances at once: one replay, one 409", async () => {
    const delivery = await mention(
      GRACE.id,
      "Warum schlägt `cargo test --all-features -- --nocapture` fehl?",
    );
    const token = (await linkSentTo(GRACE.id)).searchParams.get("token") ?? "";
    const confirm = (url: string) => {
      const signed = signAccountLinkConfirmation(
        { linkSecret: linkSecret(), now: Date.now },
        { token, accountId: "acct_grace" },
      );
      return fetch(new URL(ACCOUNT_LINK_PATH, url), {
        method: "POST",
        headers: signed.headers,
        body: signed.body,
      });
    };
    const [first, second] = stack.servers;
    if (!first || !second) throw new Error("two instances expected");
    const answers = await Promise.all([confirm(first.url), confirm(second.url)]);
    const bodies = await Promise.all(answers.map((r) => r.json()));
    expect(answers.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(bodies).toContainEqual({ linked: true, replay: "dispatched" });
    expect(bodies).toContainEqual({ error: { code: "already_used" } });
    await answered(delivery.ts);
    await sleep(1_000);
    expect(dispatchesFor(delivery.ts)).toHaveLength(1);
    expect(answersIn(delivery.ts)).toHaveLength(1);
  });

  it("refuses an expired and a forged token and a confirmation not signed with the link secret; the real link still works after", async () => {
    const delivery = await mention(HEDY.id, "why is `make -j8 CFLAGS=-O2` slower than -j4?");
    const link = await linkSentTo(HEDY.id);
    const token = link.searchParams.get("token") ?? "";
    const [payload] = token.split(".");
    const { c: contextId } = JSON.parse(Buffer.from(payload ?? "", "base64url").toString()) as {
      c: string;
    };
    const withToken = (other: string) => {
      const url = new URL(link);
      url.searchParams.set("token", other);
      return url;
    };

    const expired = await openLink(
      withToken(signLinkToken(linkSecret(), contextId, Date.now() - 1_000)),
      "acct_hedy",
    );
    expect(expired.status).toBe(410);
    const forgedSignature = signLinkToken("f".repeat(64), contextId, Date.now() + 60_000);
    const forged = await openLink(withToken(forgedSignature), "acct_mallory");
    expect(forged.status).toBe(401);
    expect(await forged.text()).toContain("forged_token");

    // An account system without the secret cannot confirm even a real token.
    const unsigned = signAccountLinkConfirmation(
      { linkSecret: "a".repeat(64), now: Date.now },
      { token, accountId: "acct_mallory" },
    );
    const outsider = await fetch(new URL(ACCOUNT_LINK_PATH, stack.publicUrl), {
      method: "POST",
      headers: unsigned.headers,
      body: unsigned.body,
    });
    expect(outsider.status).toBe(401);
    expect(await outsider.json()).toEqual({ error: { code: "bad_signature" } });
    await sleep(500);
    expect(dispatchesFor(delivery.ts)).toEqual([]);

    expect((await openLink(link, "acct_hedy")).status).toBe(200);
    expect((await answered(delivery.ts)).request?.requester?.accountId).toBe("acct_hedy");
  });

  it("`unlink` in a DM removes the identity and answers privately; the next mention asks to link again", async () => {
    await linkUser(KATE, "acct_katherine");
    const dm = `D0KATEDM0${backend === "sqlite" ? "1" : "2"}`;
    const command = await stack.slack.message({ channel: dm, user: KATE.id, text: "unlink" });
    expect(command.status).toBe(200);
    const answer = await waitUntil(() => stack.slack.channelMessages(dm).find((m) => m.isBot), {
      what: "the unlink answer in the DM",
      timeoutMs: 15_000,
    });
    expect(answer.text).toBe(UNLINK_NOTICES.unlinked);
    const links = ephemeralsFor(KATE.id).length;
    const after = await mention(KATE.id, "one more, please");
    await linkSentTo(KATE.id, links + 1);
    await sleep(1_000);
    expect(dispatchesFor(after.ts)).toEqual([]);
  });

  it("the workspace uninstalling the app removes its identities", async () => {
    await linkUser(ZOE, "acct_zoe");
    const uninstall = await stack.slack.sendEvent({ type: "app_uninstalled" });
    expect(uninstall.status).toBe(200);
    await sleep(1_000);
    const links = ephemeralsFor(ZOE.id).length;
    const after = await mention(ZOE.id, "still me?");
    await linkSentTo(ZOE.id, links + 1);
    expect(dispatchesFor(after.ts)).toEqual([]);
    // Every linked user of the workspace is forgotten, not only the last one.
    const links2 = ephemeralsFor(GRACE.id).length;
    await mention(GRACE.id, "and me?");
    await linkSentTo(GRACE.id, links2 + 1);
  });
});
