import {
  type CompletedCallback,
  deriveRequestSecret,
  fileAccessHeader,
  PROTOCOL_VERSION,
} from "@baton/agent-protocol";
import { type LocalStack, startLocalStack, waitUntil } from "@baton/stack";
import { FIXTURE_WORKSPACE } from "@baton/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { acceptedIn, replyInThread, waitForAnswers } from "./support/conversation-thread";
import { createStackTestAgent } from "./support/stack-test-agent";
import type { CallbackAnswer } from "./support/test-agent";

// Files both ways over real HTTP: the built Next app, the Slack emulator hosting and taking
// files, the reference agent reading them through Baton's URL and attaching its own.

/** A file a user shares in the emulated workspace. */
type EmulatorFile = NonNullable<Parameters<LocalStack["slack"]["mention"]>[0]["files"]>[number];

const BACKENDS = ["sqlite", "redis"] as const;
const AGENT_DEMO = { delayMs: 300, progressSteps: 0, slowDelayMs: 3_000 };
const GRAPH: EmulatorFile = {
  id: "F0E2EGRAPH",
  name: "p99-latency.png",
  mimetype: "image/png",
  size: 48_213,
};
const RUNBOOK: EmulatorFile = {
  id: "F0E2ERUNBK",
  name: "rollback-runbook.md",
  mimetype: "text/markdown",
  size: 0,
  content:
    "# Rollback\n\n```bash\nkubectl rollout undo deploy/export --to-revision=41\n```\n— prüfen ✓\n",
};

describe.each(BACKENDS)("files end to end on %s", (backend) => {
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startLocalStack({ backend, agent: { demo: AGENT_DEMO } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  async function mentionWith(text: string, files: EmulatorFile[] = []) {
    const delivery = await stack.slack.mention({
      channel: stack.channel,
      user: FIXTURE_WORKSPACE.human.id,
      text,
      ...(files.length > 0 ? { files } : {}),
    });
    if (delivery.status !== 200 || !delivery.ts) throw new Error(`webhook ${delivery.status}`);
    return delivery.ts;
  }

  async function finished(messageTs: string) {
    const id = await waitUntil(() => stack.botRequestIdFor(messageTs), {
      what: `a bot request for ${messageTs}`,
    });
    return stack.waitForRecord(id, (r) => r.finalizedAt !== undefined, 20_000);
  }

  function fileMessages(threadTs: string): string[][] {
    return stack
      .replies(threadTs)
      .filter((m) => m.isBot && Array.isArray(m.raw.files))
      .map((m) => (m.raw.files as { name: string }[]).map((f) => f.name));
  }

  it("a file in a mention and in a follow-up reach the agent through Baton; turn 1's image is carried into turn 2", async () => {
    const threadTs = await mentionWith("here's the p99 latency graph — what changed?", [GRAPH]);
    const [first] = await waitForAnswers(stack, threadTs, 1);
    expect(first?.text).toContain(
      "File `p99-latency.png` (image, image/png, 48213 bytes, this message): read 48213 bytes",
    );
    await finished(threadTs);

    const followUp = await replyInThread(stack, threadTs, "and the rollback runbook");
    await waitForAnswers(stack, threadTs, 2);
    await finished(followUp);
    // The follow-up above carries no file; a second one does, alongside turn 1's image.
    const withFile = await stack.slack.message({
      channel: stack.channel,
      user: FIXTURE_WORKSPACE.human.id,
      text: "here is the runbook itself",
      threadTs,
      files: [RUNBOOK],
    });
    const answers = await waitForAnswers(stack, threadTs, 3);
    await finished(String(withFile.ts));
    const third = answers[2]?.text ?? "";
    const runbookBytes = Buffer.byteLength(String(RUNBOOK.content));
    expect(third).toContain(
      `File \`rollback-runbook.md\` (file, text/markdown, ${runbookBytes} bytes, this message): read ${runbookBytes} bytes`,
    );
    expect(third).toMatch(
      /`p99-latency\.png` \(image, image\/png, 48213 bytes, history #\d+\): read 48213 bytes/,
    );
    const turns = acceptedIn(stack, threadTs);
    expect(turns.at(-1)?.request?.files?.map((f) => f.name)).toEqual(["rollback-runbook.md"]);
  });

  it("serves a file to its own request's credential only, and not after the request ended", async () => {
    const other = await mentionWith("an unrelated question");
    const threadTs = await mentionWith("[slow] read the graph", [GRAPH]);
    const dispatch = await stack.waitForDispatch(threadTs);
    const url = dispatch.request?.files?.[0]?.url ?? "";
    expect(url).toContain(`/api/internal/bot-request-files/${dispatch.botRequestId}/`);
    const secret = stack.env.BATON_CALLBACK_SECRETS as string;
    const own = fileAccessHeader(
      deriveRequestSecret(secret, dispatch.botRequestId),
      dispatch.botRequestId,
    );
    const otherId = (await stack.waitForDispatch(other)).botRequestId;
    const theirs = fileAccessHeader(deriveRequestSecret(secret, otherId), otherId);

    const ok = await fetch(url, { headers: { authorization: own } });
    expect([ok.status, ok.headers.get("content-type")]).toEqual([200, "image/png"]);
    expect((await ok.arrayBuffer()).byteLength).toBe(48_213);
    const refused = await fetch(url, { headers: { authorization: theirs } });
    expect([refused.status, await refused.json()]).toEqual([
      401,
      { error: { code: "unauthorized" } },
    ]);

    await finished(threadTs);
    const ended = await fetch(url, { headers: { authorization: own } });
    expect([ended.status, await ended.json()]).toEqual([410, { error: { code: "request_ended" } }]);
  });

  it("an answer with two files is posted once with them, also when delivered five times at once", async () => {
    const own = await mentionWith("[file] the export latency report, please");
    await finished(own);
    expect(fileMessages(own)).toEqual([["latency-report.csv", "rollout-notes.md"]]);

    const threadTs = await mentionWith("[never] attach the report and the notes");
    const dispatch = await stack.waitForDispatch(threadTs);
    const log: CallbackAnswer[] = [];
    const agent = createStackTestAgent(stack, log, 30_000);
    const files = `${stack.agent.url}/files`;
    const callback: CompletedCallback = {
      ...(agent.completedFor(
        dispatch,
        "Report and notes — `p99` back to **240 ms**.",
      ) as CompletedCallback),
      protocolVersion: PROTOCOL_VERSION,
      attachments: [
        { title: "latency-report.csv", url: `${files}/latency-report.csv` },
        { title: "rollout-notes.md", url: `${files}/rollout-notes.md` },
      ],
    };
    const answers = await Promise.all([0, 1, 2, 3, 4].map((i) => agent.deliver(callback, i)));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    await finished(threadTs);
    const texts = stack
      .replies(threadTs)
      .filter((m) => m.isBot && m.text.includes("Report and notes"));
    expect(texts).toHaveLength(1);
    expect(fileMessages(threadTs)).toEqual([["latency-report.csv", "rollout-notes.md"]]);
  });

  it("an oversized or unreachable file is named in the reply, and the rest is posted", async () => {
    const big = await mentionWith("[file:big] attach the heap dump");
    const gone = await mentionWith("[file:gone] attach the trace");
    expect((await finished(big)).status).toBe("completed");
    expect((await finished(gone)).status).toBe("completed");
    expect(fileMessages(big)).toEqual([["latency-report.csv"]]);
    expect(fileMessages(gone)).toEqual([["latency-report.csv"]]);
    const textOf = (ts: string) =>
      stack
        .replies(ts)
        .filter((m) => m.isBot)
        .map((m) => m.text)
        .join("\n");
    expect(textOf(big)).toMatch(/heap-dump\.bin.*larger than 10 MB/);
    expect(textOf(gone)).toMatch(/deleted-trace\.json.*could not be downloaded/);
  });
});
