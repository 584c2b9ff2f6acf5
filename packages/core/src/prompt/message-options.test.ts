import { describe, expect, it } from "vitest";
import { DEFAULT_EFFORT_BUDGETS, type OptionsPolicy, parseMessageOptions } from "./message-options";

const POLICY: OptionsPolicy = {
  allowedModels: ["fast-model", "deep-model"],
  effortBudgets: { ...DEFAULT_EFFORT_BUDGETS, high: 20_000 },
};

describe("parseMessageOptions", () => {
  it("takes options out of the prompt and maps effort to the capped thinking budget", () => {
    expect(
      parseMessageOptions("fix the flaky test --model=deep-model --effort high please", POLICY),
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

  it("refuses unknown options, models off the allow-list and bad efforts, saying what is accepted", () => {
    const parsed = parseMessageOptions("go --temperature=2 --model=gpt-x --effort=max", POLICY);
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
});
