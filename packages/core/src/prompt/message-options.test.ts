import { describe, expect, it } from "vitest";
import { DEFAULT_EFFORT_BUDGETS, type OptionsPolicy, parseMessageOptions } from "./message-options";

const POLICY: OptionsPolicy = {
  allowedModels: ["fast-model", "deep-model"],
  effortBudgets: { ...DEFAULT_EFFORT_BUDGETS, high: 20_000 },
};

describe("parseMessageOptions", () => {
  it("takes the leading options block out of the prompt and maps effort to the capped thinking budget", () => {
    expect(
      parseMessageOptions("--model=deep-model --effort high fix the flaky test please", POLICY),
    ).toEqual({
      kind: "ok",
      prompt: "fix the flaky test please",
      options: {
        model: "deep-model",
        reasoningEffort: "high",
        extra: { thinkingBudgetTokens: 20_000 },
      },
    });
  });

  it("passes a plain message through without options", () => {
    expect(parseMessageOptions("what changed in -- the last release?", POLICY)).toEqual({
      kind: "ok",
      prompt: "what changed in -- the last release?",
      options: undefined,
    });
  });

  it("reads no option after the leading block: later flags, inline code and code blocks are the request", () => {
    const request = [
      "why does `pnpm install --frozen-lockfile` fail on CI --verbose?",
      "",
      "```bash",
      "npx migrate --fail-on destructive --model=other -- --dry-run",
      "```",
    ].join("\n");
    expect(parseMessageOptions(request, POLICY)).toEqual({
      kind: "ok",
      prompt: request,
      options: undefined,
    });
    expect(parseMessageOptions(`--effort=low\n${request}`, POLICY)).toEqual({
      kind: "ok",
      prompt: request,
      options: { reasoningEffort: "low", extra: { thinkingBudgetTokens: 4_000 } },
    });
  });

  it("keeps the request's line breaks and spacing as typed", () => {
    const request = "1. first\n2.  second\n\n    indented   code";
    expect(parseMessageOptions(`--model fast-model  ${request}`, POLICY)).toMatchObject({
      kind: "ok",
      prompt: request,
      options: { model: "fast-model" },
    });
  });

  it("refuses unknown options, models off the allow-list and bad efforts, saying what is accepted", () => {
    const parsed = parseMessageOptions("--temperature=2 --model=gpt-x --effort=max go", POLICY);
    expect(parsed.kind).toBe("invalid");
    expect(parsed.kind === "invalid" && parsed.problems).toEqual([
      "Unknown option `--temperature`. Known options: `--model`, `--effort`.",
      "Model `gpt-x` is not allowed here. Allowed: `fast-model`, `deep-model`.",
      "`--effort` takes `low`, `medium`, `high`.",
    ]);
  });

  it("refuses a model choice when none is allowed", () => {
    const parsed = parseMessageOptions("--model=fast-model hi", { ...POLICY, allowedModels: [] });
    expect(parsed).toEqual({
      kind: "invalid",
      problems: ["Choosing a model is not enabled here."],
    });
  });

  it("still refuses an unknown option in the leading block, however the request goes on", () => {
    expect(parseMessageOptions("--frozen-lockfile breaks `pnpm install`", POLICY)).toEqual({
      kind: "invalid",
      problems: ["Unknown option `--frozen-lockfile`. Known options: `--model`, `--effort`."],
    });
  });
});
