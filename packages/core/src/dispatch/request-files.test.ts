import { type DispatchFile, deriveRequestSecret, fileAccessHeader } from "@baton/agent-protocol";
import type { EmulatorFile } from "@baton/slack-emulator";
import { FIXTURE_WORKSPACE } from "@baton/testing";
import { afterEach, describe, expect, it } from "vitest";
import {
  type FlowHarness,
  HARNESS_SERVER_SECRET,
  requestIdOf,
  startFlowHarness,
} from "../test-support/flow-harness";

// Files to the agent, with everything real over loopback HTTP: the emulator hosts the user's
// files, Baton lists them in the dispatch and serves them (fetched through the Slack adapter with
// the bot token), the reference agent downloads them with its request's file token.

const channel = FIXTURE_WORKSPACE.channel.id;
const GRAPH: EmulatorFile = {
  id: "F0GRAPH001",
  name: "p99-latency.png",
  mimetype: "image/png",
  size: 48_213,
};
const CONFIG: EmulatorFile = {
  id: "F0CONFIG01",
  name: "values-prod.yaml",
  mimetype: "application/x-yaml",
  size: 0,
  content: 'replicaCount: 3\nimage:\n  tag: "2026.12.03-rc1"  # café ✓\n',
};

function answerIn(h: FlowHarness, ts: string): string {
  return h.slack
    .repliesIn(channel, ts)
    .filter((m) => m.isBot && m.text.includes("Baton demo agent"))
    .map((m) => m.text)
    .join("\n");
}

function filesUrl(h: FlowHarness, id: string, ref: string): string {
  return h.callbackBaseUrl.replace(/\/callback$/, `/bot-request-files/${id}/${ref}`);
}

describe("files to the agent", () => {
  let harness: FlowHarness | undefined;
  afterEach(async () => {
    await harness?.stop();
    harness = undefined;
  });

  it("lists a mention's file and serves it to the agent through Baton", async () => {
    harness = await startFlowHarness();
    const { ts, outcome } = await harness.mention(
      "here's the p99 latency graph — why does `/api/export` spike after deploys?",
      [GRAPH],
    );
    const id = requestIdOf(outcome);
    expect((await harness.finalRecord(id)).status).toBe("completed");

    const dispatch = harness.agent.dispatches().find((d) => d.botRequestId === id);
    expect(dispatch?.request?.files).toEqual([
      {
        kind: "image",
        name: "p99-latency.png",
        mimeType: "image/png",
        size: 48_213,
        url: filesUrl(harness, id, "f0"),
      },
    ] satisfies DispatchFile[]);
    expect(answerIn(harness, ts)).toContain(
      "- File `p99-latency.png` (image, image/png, 48213 bytes, this message): read 48213 bytes",
    );
  });

  it("carries an image from turn 1 into turn 2, beside the follow-up's own file", async () => {
    harness = await startFlowHarness();
    const first = await harness.mention("here's the p99 latency graph", [GRAPH]);
    await harness.finalRecord(requestIdOf(first.outcome));
    const second = await harness.reply(first.ts, "and this is the config we ship", [CONFIG]);
    const id = requestIdOf(second.outcome);
    await harness.finalRecord(id);

    const dispatch = harness.agent.dispatches().find((d) => d.botRequestId === id);
    expect(dispatch?.request?.files?.map((f) => f.name)).toEqual(["values-prod.yaml"]);
    const historyFiles = dispatch?.request?.context.history.flatMap((m) => m.files ?? []);
    expect(historyFiles?.map((f) => [f.name, f.kind])).toEqual([["p99-latency.png", "image"]]);
    const answer = answerIn(harness, first.ts);
    const configBytes = Buffer.byteLength(String(CONFIG.content));
    expect(answer).toContain(
      `\`values-prod.yaml\` (file, application/x-yaml, ${configBytes} bytes, this message): read ${configBytes} bytes`,
    );
    expect(answer).toMatch(
      /`p99-latency\.png` \(image, image\/png, 48213 bytes, history #1\): read 48213 bytes/,
    );
  });

  it("refuses another request's credential, no credential, and the request's own once it ended", async () => {
    harness = await startFlowHarness({ agent: { demo: { delayMs: 400, progressSteps: 0 } } });
    const other = await harness.mention("unrelated request");
    const otherId = requestIdOf(other.outcome);
    const { outcome } = await harness.mention("graph attached", [GRAPH]);
    const id = requestIdOf(outcome);
    const url = filesUrl(harness, id, "f0");
    const own = fileAccessHeader(deriveRequestSecret(HARNESS_SERVER_SECRET, id), id);
    const theirs = fileAccessHeader(deriveRequestSecret(HARNESS_SERVER_SECRET, otherId), otherId);

    const ok = await fetch(url, { headers: { authorization: own } });
    expect(ok.status).toBe(200);
    expect((await ok.arrayBuffer()).byteLength).toBe(48_213);
    const refused = await fetch(url, { headers: { authorization: theirs } });
    expect([refused.status, await refused.json()]).toEqual([
      401,
      { error: { code: "unauthorized" } },
    ]);
    expect((await fetch(url)).status).toBe(401);
    const unknownRef = await fetch(filesUrl(harness, id, "f7"), {
      headers: { authorization: own },
    });
    expect(unknownRef.status).toBe(404);

    await harness.finalRecord(id);
    const ended = await fetch(url, { headers: { authorization: own } });
    expect([ended.status, await ended.json()]).toEqual([410, { error: { code: "request_ended" } }]);
  });

  it("carries earlier files newest first within the byte budget, and refuses a file over the cap", async () => {
    harness = await startFlowHarness();
    const MiB = 1024 * 1024;
    const heapA: EmulatorFile = {
      id: "F0HEAPA001",
      name: "heap-a.png",
      mimetype: "image/png",
      size: 30 * MiB,
    };
    const heapB: EmulatorFile = {
      id: "F0HEAPB001",
      name: "heap-b.png",
      mimetype: "image/png",
      size: 30 * MiB,
    };
    const first = await harness.mention("heap snapshot before the leak", [heapA]);
    await harness.finalRecord(requestIdOf(first.outcome));
    // 30 MiB is over the 20 MiB Baton serves: refused from the declared size, nothing downloaded.
    expect(answerIn(harness, first.ts)).toContain(
      "`heap-a.png` (image, image/png, 31457280 bytes, this message): refused 413 file_too_large",
    );
    const second = await harness.reply(first.ts, "and after", [heapB]);
    await harness.finalRecord(requestIdOf(second.outcome));
    const third = await harness.reply(first.ts, "so which objects grew?");
    const id = requestIdOf(third.outcome);
    await harness.finalRecord(id);

    const dispatch = harness.agent.dispatches().find((d) => d.botRequestId === id);
    const listed = dispatch?.request?.context.history.flatMap((m) => m.files ?? []);
    // 50 MiB of earlier files: the newest (heap-b) fits, heap-a would pass the budget.
    expect(listed?.map((f) => f.name)).toEqual(["heap-b.png"]);
  });
});
