import { type LocalStack, startLocalStack } from "@baton/stack";
import { codeFenceLanguages, REALISTIC_REQUESTS, realisticRequestProblems } from "@baton/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { acceptedIn, replyInThread, waitForAnswers } from "./support/conversation-thread";

const BACKENDS = ["sqlite", "redis"] as const;

function corpusEntry(name: string) {
  const entry = REALISTIC_REQUESTS.find((r) => r.name === name);
  if (!entry) throw new Error(`no corpus request named ${name}`);
  return entry;
}

/**
 * What real users type, through the real stack: the Slack emulator signs and delivers each
 * request to the built Next app, which stores it and dispatches it to the reference agent over
 * HTTP. Every request must reach the agent as Markdown with nothing eaten, and be answered.
 */
describe.each(BACKENDS)("realistic requests end to end on %s", (backend) => {
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startLocalStack({ backend, agent: { demo: { delayMs: 50, progressSteps: 0 } } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("dispatches every flag-heavy request of the corpus intact and answers it", async () => {
    const problems: Record<string, string[]> = {};
    for (const request of REALISTIC_REQUESTS) {
      const { threadTs } = await stack.mention(request.text);
      const dispatch = await stack.waitForDispatch(threadTs);
      const found = dispatch.request ? realisticRequestProblems(request, dispatch.request) : [];
      if (!dispatch.request) found.push("the agent recorded no request");
      if (found.length > 0) problems[request.name] = found;
      await waitForAnswers(stack, threadTs, 1);
    }
    expect(problems).toEqual({});
  });

  it("carries a code block fenced with its language into the next turn's history", async () => {
    const fenced = corpusEntry("fenced-bash-with-language");
    const followUp = corpusEntry("kubectl-bullets-and-quote");
    const { threadTs } = await stack.mention(fenced.text);
    await waitForAnswers(stack, threadTs, 1);
    await replyInThread(stack, threadTs, followUp.text);
    await waitForAnswers(stack, threadTs, 2);

    const [first, second] = acceptedIn(stack, threadTs);
    expect(codeFenceLanguages(first?.request?.prompt ?? "")).toEqual(["bash"]);
    expect(second?.request && realisticRequestProblems(followUp, second.request)).toEqual([]);
    const original = second?.request?.context.history[0];
    expect(original).toMatchObject({ role: "user" });
    expect(original?.text).toContain(fenced.expect.fragments[0]);
  });

  it("still refuses an unknown option in the leading block, saying what is accepted", async () => {
    const { threadTs } = await stack.mention("--frozen-lockfile why does `pnpm install` fail?");
    const reply = await stack.waitForReply(threadTs, (m) => m.isBot);
    expect(reply.text).toBe(
      "I did not start this: Unknown option `--frozen-lockfile`. Known options: `--model`, `--effort`.",
    );
    expect(acceptedIn(stack, threadTs)).toEqual([]);
  });
});
