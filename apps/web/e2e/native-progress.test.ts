import type { Callback } from "@baton/agent-protocol";
import { type LocalStack, startLocalStack } from "@baton/stack";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { progressCallback } from "./support/progress-callback";
import { createStackTestAgent } from "./support/stack-test-agent";
import type { CallbackAnswer } from "./support/test-agent";

const BACKENDS = ["redis", "sqlite"] as const;
const MAX_RETRY_MS = 30_000;

const PLAN_TITLES = [
  "Read the failing job (`pnpm test --reporter=verbose --bail=1`)",
  "Bisect the lockfile",
  "Écrire la réponse",
];
const DELTAS: [number, string][] = [
  [4, "## Why the nightly build is red\n\n"],
  [5, "The lockfile changed **twice** — see `pnpm-lock.yaml`:\n\n"],
  [6, "```sh\npnpm install --frozen-lockfile --prefer-offline\n```\n"],
];
const ANSWER = `${DELTAS.map(([, text]) => text).join("")}\nFixed by pinning \`chat\` to one release.`;

describe.each(BACKENDS)("native progress over two instances on %s", (backend) => {
  let stack: LocalStack;
  const answers: CallbackAnswer[] = [];

  beforeAll(async () => {
    // `[never]`: the reference agent accepts and stays silent; the test is the agent.
    // The post-and-edit fallback (platforms, or Slack set-ups, without native streaming).
    stack = await startLocalStack({
      backend,
      instances: 2,
      env: { BATON_SLACK_NATIVE_STREAMING: "0" },
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const progress = progressCallback;

  const botMessages = (threadTs: string) => stack.replies(threadTs).filter((m) => m.isBot);

  it("shows the plan to done and the streamed answer once, then the answer replaces it", async () => {
    const agent = createStackTestAgent(stack, answers, MAX_RETRY_MS);
    const { threadTs } = await stack.mention("why is the nightly build red? [never]");
    const dispatch = await stack.waitForDispatch(threadTs, 30_000);
    const plan = (states: string[]) => PLAN_TITLES.map((title, i) => ({ title, state: states[i] }));
    const ok = async (callback: Callback, target: number) =>
      expect((await agent.deliver(callback, target)).status).toBe(200);

    await ok(
      progress(dispatch, 1, {
        message: "Reading",
        plan: plan(["in_progress", "pending", "pending"]),
      }),
      0,
    );
    await ok(progress(dispatch, 2, { plan: plan(["done", "in_progress", "pending"]) }), 1);
    await ok(
      progress(dispatch, 3, { message: "Writing", plan: plan(["done", "done", "done"]) }),
      0,
    );
    let [status] = botMessages(threadTs);
    expect(botMessages(threadTs)).toHaveLength(1);
    expect(status?.text.match(/✅/g)).toHaveLength(3);

    // Deltas over both instances: the last one first, duplicated, then the middle one, at once.
    const [first, middle, last] = DELTAS.map(([sequence, textDelta]) =>
      progress(dispatch, sequence, { textDelta }),
    ) as [Callback, Callback, Callback];
    await ok(first, 1);
    await Promise.all([ok(last, 0), ok(last, 1)]);
    await Promise.all([ok(middle, 0), ok(last, 1)]);
    // A status change shows whatever the text-edit throttle held back.
    await ok(progress(dispatch, 7, { message: "Checking the answer" }), 1);
    [status] = botMessages(threadTs);
    expect(botMessages(threadTs)).toHaveLength(1);
    const shown = status?.text ?? "";
    const at = DELTAS.map(([, text]) => shown.indexOf(text.slice(0, 20)));
    expect(at.every((position) => position >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(shown.match(/--frozen-lockfile/g)).toHaveLength(1);
    expect(shown).not.toContain("⏳");

    await ok(agent.completedFor(dispatch, ANSWER), 0);
    const replies = botMessages(threadTs);
    expect(replies.map((m) => m.text)).toEqual([expect.stringContaining("Fixed by pinning")]);
    expect(replies[0]?.text.match(/--frozen-lockfile/g)).toHaveLength(1);
    expect(replies[0]?.text).not.toMatch(/Working/);
    // Late progress after the end shows nothing.
    await ok(progress(dispatch, 8, { textDelta: "late" }), 1);
    expect(botMessages(threadTs)).toHaveLength(1);
  });
});
