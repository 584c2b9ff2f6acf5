import { createLocalAgent, type LocalAgentHandle } from "@baton/agent-local";
import { FIXTURE_WORKSPACE } from "@baton/testing";
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_EFFORT_BUDGETS } from "../prompt/message-options";
import { type FlowHarness, requestIdOf, startFlowHarness } from "../test-support/flow-harness";
import { createAgentClient } from "./agent-client";
import type { AgentRouter } from "./agent-router";
import {
  createReloadingRouter,
  createTableRouter,
  parseRoutingTable,
  type RoutingTable,
} from "./routing-table";

const GENERAL = FIXTURE_WORKSPACE.channel.id;
const BUILDS = { id: "C0BUILDS01", name: "builds" };
const REQUEST = [
  "Die Nacht-Pipeline ist rot. `make release --dry-run` sagt:",
  "```text",
  "error: --sign requires a key (see https://example.com/docs#signing)",
  "```",
].join("\n");

describe("routing", () => {
  let harness: FlowHarness | undefined;
  const agents: LocalAgentHandle[] = [];
  afterEach(async () => {
    await harness?.stop();
    harness = undefined;
    await Promise.all(agents.splice(0).map((a) => a.stop()));
  });

  async function startAgent() {
    const agent = await createLocalAgent({ demo: { delayMs: 30, progressSteps: 0 } }).start();
    agents.push(agent);
    return agent;
  }

  /** A harness whose table the test can change while it runs (a reloaded file, in the app). */
  async function startRouted(initial: RoutingTable) {
    let table = initial;
    let version = 1;
    const table$ = {
      set(next: RoutingTable) {
        table = next;
        version += 1;
      },
    };
    harness = await startFlowHarness({
      slack: { channels: [{ ...FIXTURE_WORKSPACE.channel }, BUILDS] },
      flows: (fallback): { router: AgentRouter } => ({
        router: createReloadingRouter({
          version: () => String(version),
          load: () =>
            createTableRouter({
              table,
              fallback: {
                client: createAgentClient({ baseUrl: fallback.url }),
                optionsPolicy: { allowedModels: [], effortBudgets: DEFAULT_EFFORT_BUDGETS },
              },
              client: (url, token) =>
                createAgentClient({ baseUrl: url, ...(token ? { authToken: token } : {}) }),
              effortBudgets: DEFAULT_EFFORT_BUDGETS,
            }),
          onReloadFailed: (error) => {
            throw error;
          },
          checkEveryMs: 0,
        }),
      }),
    });
    return { h: harness, table$ };
  }

  const table = (ops: string, builds: string): RoutingTable => {
    const parsed = parseRoutingTable(
      JSON.stringify({
        agents: {
          ops: { url: ops, preamble: "You are the ops agent." },
          builds: { url: builds, defaultEffort: "high", allowedModels: ["gpt-5"] },
        },
        routes: [
          {
            channel: GENERAL,
            agent: "ops",
            settings: { repository: "acme/infra", branch: "main" },
          },
          {
            workspace: FIXTURE_WORKSPACE.teamId,
            channel: BUILDS.id,
            agent: "builds",
            settings: { repository: "acme/ledger" },
            allowOverrides: ["branch"],
          },
        ],
      }),
    );
    if (!parsed.ok) throw new Error(parsed.problems.join("; "));
    return parsed.table;
  };

  it("sends two channels to two agents with their settings; the requester reaches each", async () => {
    const [ops, builds] = [await startAgent(), await startAgent()];
    const { h } = await startRouted(table(ops.url, builds.url));
    const first = await h.mention(`<@${h.slack.botUserId}> ${REQUEST}`);
    const second = await h.mention(
      `<@${h.slack.botUserId}> --branch=release/2.4 ${REQUEST}`,
      undefined,
      {
        channel: BUILDS.id,
      },
    );
    await h.finalRecord(requestIdOf(first.outcome));
    await h.finalRecord(requestIdOf(second.outcome));

    const [toOps] = ops.dispatches();
    expect(toOps?.request).toMatchObject({
      context: { channelId: `slack:${GENERAL}`, preamble: "You are the ops agent." },
      settings: { repository: "acme/infra", branch: "main" },
      requester: { userId: FIXTURE_WORKSPACE.human.id, workspaceId: FIXTURE_WORKSPACE.teamId },
    });
    expect(toOps?.request?.requester?.displayName).toBeTruthy();
    const [toBuilds] = builds.dispatches();
    expect(toBuilds?.request).toMatchObject({
      settings: { repository: "acme/ledger", branch: "release/2.4" },
      options: { reasoningEffort: "high" },
      requester: { userId: FIXTURE_WORKSPACE.human.id },
    });
    // The override is read off the options block; the flags in the request stay the user's text.
    expect(toBuilds?.request?.prompt).toMatch(
      /^Die Nacht-Pipeline ist rot\. `make release --dry-run`/,
    );
    expect(toBuilds?.request?.prompt).toContain("error: --sign requires a key");
    expect(h.agent.dispatches()).toEqual([]);
    // The reference agent echoes who asked and where, so the answer in the thread shows it.
    const answer = h.slack.repliesIn(BUILDS.id, second.ts).at(-1)?.text ?? "";
    expect(answer).toContain(
      `(${FIXTURE_WORKSPACE.human.id} in workspace ${FIXTURE_WORKSPACE.teamId})`,
    );
    expect(answer).toContain("Branch: release/2.4");
  });

  it("refuses an override the route does not allow, dispatching nothing", async () => {
    const [ops, builds] = [await startAgent(), await startAgent()];
    const { h } = await startRouted(table(ops.url, builds.url));
    const { ts, outcome } = await h.mention(
      `<@${h.slack.botUserId}> --repo=acme/secrets ${REQUEST}`,
    );
    expect(outcome).toEqual({
      kind: "refused-options",
      problems: ["`--repo` cannot be changed in this channel."],
    });
    expect(h.slack.repliesIn(GENERAL, ts).at(-1)?.text).toContain("`--repo` cannot be changed");
    expect(ops.dispatches()).toEqual([]);
  });

  it("keeps a thread's follow-ups on the agent holding its session after the table changed", async () => {
    const [ops, builds, successor] = [await startAgent(), await startAgent(), await startAgent()];
    const { h, table$ } = await startRouted(table(ops.url, builds.url));
    const first = await h.mention(`<@${h.slack.botUserId}> ${REQUEST}`);
    await h.finalRecord(requestIdOf(first.outcome));

    // "ops" is now another agent (same name, another URL), and #general's settings changed.
    const next = parseRoutingTable(
      JSON.stringify({
        agents: { ops: { url: successor.url }, builds: { url: builds.url } },
        routes: [{ channel: GENERAL, agent: "ops", settings: { repository: "acme/next" } }],
      }),
    );
    if (!next.ok) throw new Error(next.problems.join("; "));
    table$.set(next.table);
    const followUp = await h.reply(first.ts, "and the arm64 job?");
    await h.finalRecord(requestIdOf(followUp.outcome));
    const toOps = ops.dispatches().filter((d) => d.outcome === "accepted");
    expect(toOps).toHaveLength(2);
    expect(toOps[1]?.sessionId).toBe(toOps[0]?.agentSessionId);
    expect(toOps[1]?.request?.settings).toEqual({ repository: "acme/infra", branch: "main" });

    // A new conversation in the same channel follows the new table.
    const fresh = await h.mention(`<@${h.slack.botUserId}> a new question`);
    await h.finalRecord(requestIdOf(fresh.outcome));
    expect(successor.dispatches()).toHaveLength(1);
    expect(successor.dispatches()[0]?.request?.settings).toEqual({ repository: "acme/next" });
  });

  it("refuses a table that names an agent it does not define, saying where", () => {
    const parsed = parseRoutingTable(
      JSON.stringify({ agents: {}, routes: [{ channel: GENERAL, agent: "ghost" }] }),
    );
    expect(parsed).toEqual({
      ok: false,
      problems: ['routes.0.agent: no agent named "ghost" in "agents"'],
    });
    expect(parseRoutingTable("{ not json")).toMatchObject({ ok: false });
  });
});
