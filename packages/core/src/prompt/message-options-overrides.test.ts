import { describe, expect, it } from "vitest";
import { DEFAULT_EFFORT_BUDGETS, type OptionsPolicy, parseMessageOptions } from "./message-options";

const CLOSED: OptionsPolicy = { allowedModels: [], effortBudgets: DEFAULT_EFFORT_BUDGETS };
const BRANCH_ONLY: OptionsPolicy = { ...CLOSED, overrides: { repo: false, branch: true } };
const REQUEST =
  "Warum schlägt `git push --force-with-lease --branch=x` fehl?\n```sh\nmake --repo=nope\n```";

describe("route setting overrides", () => {
  it("reads --branch where the route allows it; flags in the request stay text", () => {
    expect(parseMessageOptions(`--branch release/2.4 ${REQUEST}`, BRANCH_ONLY)).toEqual({
      kind: "ok",
      prompt: REQUEST,
      options: undefined,
      settings: { branch: "release/2.4" },
    });
  });

  it("refuses an override the route does not allow, and says which options there are", () => {
    expect(parseMessageOptions(`--repo=acme/secrets ${REQUEST}`, BRANCH_ONLY)).toEqual({
      kind: "invalid",
      problems: ["`--repo` cannot be changed in this channel."],
    });
    expect(parseMessageOptions(`--branch=main ${REQUEST}`, CLOSED)).toEqual({
      kind: "invalid",
      problems: ["`--branch` cannot be changed in this channel."],
    });
    expect(parseMessageOptions(`--sha=abc ${REQUEST}`, BRANCH_ONLY)).toEqual({
      kind: "invalid",
      problems: ["Unknown option `--sha`. Known options: `--model`, `--effort`, `--branch`."],
    });
  });
});
