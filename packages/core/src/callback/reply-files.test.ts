import { DEMO_OVERSIZED_BYTES } from "@baton/agent-local";
import { FIXTURE_WORKSPACE } from "@baton/testing";
import { afterEach, describe, expect, it } from "vitest";
import {
  type FlowHarness,
  requestIdOf,
  signedHarnessCallback,
  startFlowHarness,
} from "../test-support/flow-harness";

// Files from the agent: a completed callback's attachments are fetched (from the reference
// agent's own file route) and uploaded into the thread once, after the answer, over real HTTP.

const channel = FIXTURE_WORKSPACE.channel.id;
const ANSWER = [
  "## Why `/api/export` spikes after deploys",
  "",
  "The cache is cold for ~90 s; run `pnpm bench --filter export -- --warmup=30s` before the",
  "canary. Details in the attached report — **p99 1840 ms** → 240 ms with warm-up.",
].join("\n");

function botMessages(h: FlowHarness, ts: string) {
  return h.slack.repliesIn(channel, ts).filter((m) => m.isBot);
}

function postedFiles(h: FlowHarness, ts: string): string[][] {
  return botMessages(h, ts)
    .filter((m) => Array.isArray(m.raw.files))
    .map((m) => (m.raw.files as { name: string }[]).map((f) => f.name));
}

describe("files from the agent", () => {
  let harness: FlowHarness | undefined;
  afterEach(async () => {
    await harness?.stop();
    harness = undefined;
  });

  it("posts an answer's two files once, after its text", async () => {
    harness = await startFlowHarness();
    const { ts, outcome } = await harness.mention("[file] summarise the export latency");
    expect((await harness.finalRecord(requestIdOf(outcome))).status).toBe("completed");
    expect(postedFiles(harness, ts)).toEqual([["latency-report.csv", "rollout-notes.md"]]);
    expect(harness.slack.calls("files.completeUploadExternal")).toHaveLength(1);
    const texts = botMessages(harness, ts).map((m) => m.text);
    expect(texts.filter((t) => t.includes("Baton demo agent"))).toHaveLength(1);
  });

  it("posts the text once and the files once when the callback arrives five times at once", async () => {
    harness = await startFlowHarness();
    const { ts, outcome } = await harness.mention("[never] the export graph, please");
    const id = requestIdOf(outcome);
    const files = `${harness.agent.url}/files`;
    const fields = {
      type: "completed",
      text: ANSWER,
      attachments: [
        { title: "latency-report.csv", url: `${files}/latency-report.csv` },
        { title: "rollout-notes.md", url: `${files}/rollout-notes.md` },
      ],
    };
    const send = (n: number) => {
      const { body, headers } = signedHarnessCallback(id, fields, { webhookId: `msg_five_${n}` });
      return fetch(`${harness?.callbackBaseUrl}/${id}`, { method: "POST", headers, body });
    };
    const statuses = (await Promise.all([0, 1, 2, 3, 4].map(send))).map((r) => r.status);
    expect(statuses).toContain(200);
    // Those that found the delivery in progress are retried, as an agent would.
    for (let n = 5; statuses.some((s) => s !== 200) && n < 40; n++) {
      statuses.splice(statuses.indexOf(503), 1, (await send(n)).status);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect((await harness.finalRecord(id)).status).toBe("completed");
    expect(
      botMessages(harness, ts).filter((m) => m.text.includes("Why `/api/export`")),
    ).toHaveLength(1);
    expect(postedFiles(harness, ts)).toEqual([["latency-report.csv", "rollout-notes.md"]]);
    expect(harness.slack.calls("files.completeUploadExternal")).toHaveLength(1);
  });

  it("does not upload twice when the upload landed but its answer was lost", async () => {
    harness = await startFlowHarness();
    harness.slack.injectFault("files.completeUploadExternal", {
      status: 500,
      times: 1,
      takesEffect: true,
    });
    const { ts, outcome } = await harness.mention("[file] the export report");
    await harness.finalRecord(requestIdOf(outcome));
    expect(postedFiles(harness, ts)).toEqual([["latency-report.csv", "rollout-notes.md"]]);
    expect(harness.slack.calls("files.completeUploadExternal")).toHaveLength(1);
  });

  it("names a file that is too large and one that cannot be fetched, and posts the rest", async () => {
    harness = await startFlowHarness();
    const big = await harness.mention("[file:big] attach the heap dump");
    await harness.finalRecord(requestIdOf(big.outcome));
    expect(postedFiles(harness, big.ts)).toEqual([["latency-report.csv"]]);
    const bigText = botMessages(harness, big.ts)
      .map((m) => m.text)
      .join("\n");
    expect(bigText).toContain("Not attached");
    expect(bigText).toContain("heap-dump.bin");
    expect(bigText).toContain("larger than 10 MB");
    expect(DEMO_OVERSIZED_BYTES).toBeGreaterThan(10 * 1024 * 1024);

    const gone = await harness.mention("[file:gone] attach the trace");
    expect((await harness.finalRecord(requestIdOf(gone.outcome))).status).toBe("completed");
    expect(postedFiles(harness, gone.ts)).toEqual([["latency-report.csv"]]);
    const goneText = botMessages(harness, gone.ts)
      .map((m) => m.text)
      .join("\n");
    expect(goneText).toContain("deleted-trace.json");
    expect(goneText).toContain("could not be downloaded");
  });
});
