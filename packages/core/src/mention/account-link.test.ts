import { FIXTURE_WORKSPACE } from "@baton/testing";
import { createMemoryState } from "@chat-adapter/state-memory";
import type { StateAdapter } from "chat";
import { afterEach, describe, expect, it } from "vitest";
import { StateUnavailableError } from "../errors";
import { MESSAGE_STATE_KEY_PREFIX } from "../keys";
import { type FlowHarness, requestIdOf, startFlowHarness } from "../test-support/flow-harness";
import { UNLINK_NOTICES } from "./link-command";
import { confirmAccountLink } from "./link-confirm";
import { signLinkToken } from "./link-token";

const SECRET = "link-secret-0123456789abcdef0123456789abcdef";
const OLD_SECRET = "link-secret-previous-0123456789abcdef01234567";
const LINK_URL = "https://agent.example.com/link?from=baton";
const GENERAL = FIXTURE_WORKSPACE.channel.id;
const DM = "D0ADADM001";
const ADA = {
  platform: "slack",
  workspaceId: FIXTURE_WORKSPACE.teamId,
  userId: FIXTURE_WORKSPACE.human.id,
};
const REQUEST = "Bitte `kubectl rollout restart deploy/api --namespace=prod` prüfen — danke!";

describe("account linking", () => {
  let harness: FlowHarness | undefined;
  afterEach(async () => {
    await harness?.stop();
    harness = undefined;
  });

  async function start(state?: StateAdapter) {
    harness = await startFlowHarness({
      ...(state ? { state } : {}),
      flows: () => ({
        linking: { required: true, secrets: [SECRET, OLD_SECRET], linkUrl: LINK_URL },
      }),
    });
    return harness;
  }

  function tokenOf(h: FlowHarness): string {
    const notice = h.slack.ephemerals().at(-1)?.text ?? "";
    const url = /https:\/\/agent\.example\.com\/link\S*/.exec(notice)?.[0];
    const token = url ? new URL(url.replace(/[>|].*$/, "")).searchParams.get("token") : null;
    if (!token) throw new Error(`no link in ${notice}`);
    return token;
  }

  it("holds an unlinked user's message, sends one private link, and replays it once when linked", async () => {
    const h = await start();
    const { ts, outcome } = await h.mention(`<@${h.slack.botUserId}> ${REQUEST}`);
    expect(outcome).toEqual({ kind: "link-required" });
    expect(h.agent.dispatches()).toEqual([]);
    expect(await h.flows.isMentionStored("slack", ts)).toBe(false);
    expect(h.slack.ephemerals()).toHaveLength(1);
    const token = tokenOf(h);

    // The same message again (a redelivery) sends no second link.
    const thread = h.chat.thread(`slack:${GENERAL}:${ts}`);
    let message: Parameters<typeof h.flows.onMention>[1] | undefined;
    for await (const m of thread.allMessages) if (m.id === ts) message = m;
    if (!message) throw new Error("message not found");
    expect(await h.flows.onMention(thread, message)).toEqual({ kind: "link-pending" });
    expect(h.slack.ephemerals()).toHaveLength(1);

    // The link is opened twice at once: one replay, one refusal.
    const [a, b] = await Promise.all([
      confirmAccountLink(h.flows.deps, [SECRET, OLD_SECRET], { token, accountId: "acct_ada" }),
      confirmAccountLink(h.flows.deps, [SECRET, OLD_SECRET], { token, accountId: "acct_ada" }),
    ]);
    expect([a.kind, b.kind].sort()).toEqual(["already-used", "replayed"]);
    const replayed = a.kind === "replayed" ? a : b;
    if (replayed.kind !== "replayed") throw new Error("no replay");
    expect(replayed.outcome.kind).toBe("dispatched");
    await h.finalRecord(requestIdOf(replayed.outcome));
    const accepted = h.agent.dispatches().filter((d) => d.outcome === "accepted");
    expect(accepted).toHaveLength(1);
    expect(accepted[0]?.request?.prompt).toContain("kubectl rollout restart");
    expect(accepted[0]?.request?.requester?.accountId).toBe("acct_ada");
    expect(h.slack.repliesIn(GENERAL, ts).at(-1)?.text).toContain("account acct_ada");

    // Once linked, the user's next message goes straight through.
    const next = await h.mention(`<@${h.slack.botUserId}> and staging?`);
    expect(next.outcome.kind).toBe("dispatched");
    await h.finalRecord(requestIdOf(next.outcome));
  });

  it("refuses a forged, an expired and a malformed token", async () => {
    const h = await start();
    await h.mention(`<@${h.slack.botUserId}> ${REQUEST}`);
    const token = tokenOf(h);
    const [payload] = token.split(".");
    const forged = `${payload}.${signLinkToken("another-secret-0123456789abcdef0123456789", "x", 1).split(".")[1]}`;
    const expired = signLinkToken(SECRET, "ctx", Date.now() - 1_000);
    const confirm = (t: string) =>
      confirmAccountLink(h.flows.deps, [SECRET], { token: t, accountId: "acct_mallory" });
    expect(await confirm(forged)).toEqual({ kind: "refused", code: "forged" });
    expect(await confirm(expired)).toEqual({ kind: "refused", code: "expired" });
    expect(await confirm("not-a-token")).toEqual({ kind: "refused", code: "malformed" });
    expect(h.agent.dispatches()).toEqual([]);
    expect(
      await h.flows.deps.identities.accountOf({
        platform: "slack",
        workspaceId: FIXTURE_WORKSPACE.teamId,
        userId: FIXTURE_WORKSPACE.human.id,
      }),
    ).toBeUndefined();
  });

  it("`unlink` in a DM removes the identity and answers there once; a mention then asks to link again", async () => {
    const h = await start();
    await h.flows.deps.identities.link(ADA, "acct_ada");
    const dm = await h.slack.message({ channel: DM, user: ADA.userId, text: "unlink" });
    expect(dm.status).toBe(200);
    await h.settle();
    expect(h.outcomes.at(-1)).toEqual({ kind: "unlinked", had: true });
    expect(await h.flows.deps.identities.accountOf(ADA)).toBeUndefined();
    const answers = () => h.slack.channelMessages(DM).filter((m) => m.isBot);
    expect(answers().map((m) => m.text)).toEqual([UNLINK_NOTICES.unlinked]);

    // The command handled again (as the webhook inbox's drain would): nothing is posted again.
    const thread = h.chat.thread(`slack:${DM}:${dm.ts}`);
    let message: Parameters<typeof h.flows.onMention>[1] | undefined;
    for await (const m of thread.allMessages) if (m.id === dm.ts) message = m;
    if (!message) throw new Error("the DM was not found");
    expect(await h.flows.onMention(thread, message)).toEqual({ kind: "unlink-repeated" });
    expect(answers()).toHaveLength(1);
    expect(h.agent.dispatches()).toEqual([]);

    const { outcome } = await h.mention(`<@${h.slack.botUserId}> ${REQUEST}`);
    expect(outcome).toEqual({ kind: "link-required" });
    expect(h.slack.ephemerals()).toHaveLength(1);
  });

  it("`unlink` in a channel is a request like any other, never a command", async () => {
    const h = await start();
    await h.flows.deps.identities.link(ADA, "acct_ada");
    const { outcome } = await h.mention(`<@${h.slack.botUserId}> unlink`);
    expect(outcome.kind).toBe("dispatched");
    await h.finalRecord(requestIdOf(outcome));
    expect(await h.flows.deps.identities.accountOf(ADA)).toBe("acct_ada");
  });

  it("forgets every identity of an uninstalled workspace, and only that workspace's", async () => {
    const h = await start();
    const grace = { ...ADA, userId: "U0GRACE001" };
    const elsewhere = { ...ADA, workspaceId: "T0OTHER01" };
    await h.flows.deps.identities.link(ADA, "acct_ada");
    await h.flows.deps.identities.link(grace, "acct_grace");
    await h.flows.deps.identities.link(ADA, "acct_ada-relinked");
    await h.flows.deps.identities.link(elsewhere, "acct_ada-other");
    const forgotten = await h.flows.deps.identities.forgetWorkspaceIdentities(ADA.workspaceId);
    expect(forgotten).toBe(2);
    expect(await h.flows.deps.identities.accountOf(ADA)).toBeUndefined();
    expect(await h.flows.deps.identities.accountOf(grace)).toBeUndefined();
    expect(await h.flows.deps.identities.accountOf(elsewhere)).toBe("acct_ada-other");
    expect(await h.flows.deps.identities.forgetWorkspaceIdentities(ADA.workspaceId)).toBe(0);
  });

  it("a confirmation that fails half-way (the store down) is given back: the retry replays it once", async () => {
    // The real memory store, whose writes of resume state fail while `down` is set.
    const inner = createMemoryState();
    let down = false;
    const state = new Proxy(inner, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver);
        if (typeof value !== "function") return value;
        if (property !== "set") return value.bind(target);
        return (key: string, ...rest: unknown[]) => {
          if (down && key.startsWith(MESSAGE_STATE_KEY_PREFIX)) {
            throw new StateUnavailableError("memory", "set", new Error("connection refused"));
          }
          return value.call(target, key, ...rest);
        };
      },
    });
    const h = await start(state);
    await h.mention(`<@${h.slack.botUserId}> ${REQUEST}`);
    const token = tokenOf(h);
    const confirm = () =>
      confirmAccountLink(h.flows.deps, [SECRET], { token, accountId: "acct_ada" });
    down = true;
    await expect(confirm()).rejects.toBeInstanceOf(StateUnavailableError);
    down = false;
    const retried = await confirm();
    if (retried.kind !== "replayed") throw new Error(`retry: ${retried.kind}`);
    await h.finalRecord(requestIdOf(retried.outcome));
    expect(await confirm()).toEqual({ kind: "already-used" });
    expect(h.agent.dispatches().filter((d) => d.outcome === "accepted")).toHaveLength(1);
  });
});
