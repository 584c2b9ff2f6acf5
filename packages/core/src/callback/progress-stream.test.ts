import { FIXTURE_WORKSPACE } from "@baton/testing";
import { afterEach, describe, expect, it } from "vitest";
import {
  type FlowHarness,
  requestIdOf,
  sendCallback,
  startFlowHarness,
} from "../test-support/flow-harness";

const channel = FIXTURE_WORKSPACE.channel.id;
const step = { type: "progress", agentSessionId: "sess_1" } as const;
const plan = (states: string[]) =>
  ["Read the failing job (`--fail-on=warn`)", "Bisect `pnpm i --frozen-lockfile`", "Écrire"].map(
    (title, i) => ({ title, state: states[i] }),
  );

describe("progress: status line, plan and streamed answer", () => {
  let harness: FlowHarness | undefined;
  afterEach(async () => {
    await harness?.stop();
    harness = undefined;
  });

  async function start(text: string) {
    harness = await startFlowHarness({ agent: { demo: { delayMs: 0, progressSteps: 0 } } });
    const { ts, outcome } = await harness.mention(text);
    return { h: harness, ts, id: requestIdOf(outcome) };
  }

  it("shows the plan updated to done, and never rolls it back", async () => {
    const { h, ts, id } = await start("[never] fix the nightly build");
    const send = async (sequence: number, fields: Record<string, unknown>, webhookId: string) =>
      expect(
        (await sendCallback(h, id, { ...step, sequence, ...fields }, { webhookId })).status,
      ).toBe(200);
    await send(1, { message: "Reading", plan: plan(["in_progress", "pending", "pending"]) }, "p1");
    await send(2, { plan: plan(["done", "in_progress", "pending"]) }, "p2");
    await send(3, { message: "Done", plan: plan(["done", "done", "done"]) }, "p3");
    // A late, older plan (another instance, a retry) must not roll the status back.
    await send(2, { plan: plan(["done", "in_progress", "pending"]) }, "p2-late");

    const status = h.slack.repliesIn(channel, ts).filter((m) => m.isBot);
    expect(status).toHaveLength(1);
    expect(status[0]?.text).toContain("Working");
    expect(status[0]?.text).toContain("Done");
    expect(status[0]?.text.match(/✅/g)).toHaveLength(3);
    expect(status[0]?.text).not.toContain("⏳");
  });

  it("assembles streamed deltas once, in sequence order, then the answer replaces them", async () => {
    const { h, ts, id } = await start("[never] explain the lockfile");
    const deltas: [number, string][] = [
      [4, "## Why\n\n"],
      [6, "```sh\npnpm install --frozen-lockfile\n```\n"],
      [6, "```sh\npnpm install --frozen-lockfile\n```\n"],
      [5, "Le fichier a changé — **deux fois**.\n"],
    ];
    for (const [index, [sequence, textDelta]] of deltas.entries()) {
      const response = await sendCallback(
        h,
        id,
        { ...step, sequence, textDelta },
        { webhookId: `d${index}` },
      );
      expect(response.status).toBe(200);
    }
    // A status change always shows, whatever the text-edit throttle held back.
    await sendCallback(h, id, { ...step, sequence: 7, message: "Checking" }, { webhookId: "s7" });
    const [status] = h.slack.repliesIn(channel, ts).filter((m) => m.isBot);
    const text = status?.text ?? "";
    expect(text.indexOf("Why")).toBeLessThan(text.indexOf("deux fois"));
    expect(text.indexOf("deux fois")).toBeLessThan(text.indexOf("frozen-lockfile"));
    expect(text.match(/frozen-lockfile/g)).toHaveLength(1);

    const answer = "## Why\n\nLe fichier a changé.\n\n```sh\npnpm install --frozen-lockfile\n```";
    await sendCallback(
      h,
      id,
      { ...step, type: "completed", sequence: 8, text: answer },
      {
        webhookId: "c8",
      },
    );
    const bot = await h.slack.waitFor(() => {
      const messages = h.slack.repliesIn(channel, ts).filter((m) => m.isBot);
      return messages.some((m) => m.text.includes("Le fichier a changé.")) ? messages : undefined;
    }, 10_000);
    expect(bot).toHaveLength(1);
    expect(bot[0]?.text).not.toMatch(/Working/);
  });

  it("shows Open session on the status and on the answer when the agent gives its URL", async () => {
    const { h, ts, id } = await start("[never] open my session");
    const url = "https://agent.example.com/sessions/sess_1?tab=log&lang=fr";
    await sendCallback(h, id, { ...step, sequence: 1, sessionUrl: url }, { webhookId: "u1" });
    const blocksOf = () =>
      h.slack
        .repliesIn(channel, ts)
        .filter((m) => m.isBot)
        .map((m) => JSON.stringify(m.raw.blocks ?? []));
    expect(blocksOf()).toEqual([expect.stringContaining(url)]);
    await sendCallback(
      h,
      id,
      { ...step, type: "completed", sequence: 2, text: "**Done.**" },
      {
        webhookId: "c2",
      },
    );
    const answer = await h.slack.waitFor(() => {
      const blocks = blocksOf();
      return blocks.length === 1 && blocks[0]?.includes("baton-retry") ? blocks[0] : undefined;
    }, 10_000);
    expect(answer).toContain(url);
  });

  it("removes a status message whose poster died before recording it", async () => {
    const { h, ts, id } = await start("[never] a request whose poster dies");
    const thread = h.chat.thread(`slack:${channel}:${ts}`);
    const since = Date.now();
    // What a poster leaves behind when it is killed between its post and recording the post.
    await h.flows.deps.statusMessages.set(id, { sequence: 1, postingSince: since });
    await thread.adapter.postMessage(thread.id, { markdown: "_Working (1/2):_ Reading" });
    await sendCallback(h, id, { ...step, type: "completed", sequence: 9, text: "**Done.**" });
    const bot = await h.slack.waitFor(() => {
      const messages = h.slack.repliesIn(channel, ts).filter((m) => m.isBot);
      return messages.some((m) => m.text.includes("Done")) ? messages : undefined;
    }, 10_000);
    expect(bot.map((m) => m.text)).toEqual([expect.stringContaining("Done")]);
    // Progress arriving after the end posts nothing.
    await sendCallback(h, id, { ...step, sequence: 10, message: "late" }, { webhookId: "late" });
    expect(h.slack.repliesIn(channel, ts).filter((m) => m.isBot)).toHaveLength(1);
  });
});
