import type { DispatchOptions, DispatchSettings, ReasoningEffort } from "@baton/agent-protocol";

/**
 * Per-request options typed CLI style right after the mention, before the request itself:
 * `@baton --model=NAME --effort=high fix …` (`--model NAME` works too). Only that leading block
 * is read: the first word that is not an option ends it, so flags later in the message, in
 * inline code or in a code block (`pnpm install --frozen-lockfile`) are the request's text and
 * reach the agent untouched. Options are validated against the operator's allow-list and caps;
 * anything unknown or not allowed in the leading block is refused with a reply that says what
 * is accepted, and nothing is dispatched then.
 */
export interface OptionsPolicy {
  /** Models a user may pick; empty means the agent's default only. */
  allowedModels: readonly string[];
  /** Thinking budget (tokens) per effort, already capped by the operator. */
  effortBudgets: Readonly<Record<ReasoningEffort, number>>;
  /** Route settings users may override (`--repo=…`, `--branch=…`); absent: none. */
  overrides?: { repo: boolean; branch: boolean };
}

export const DEFAULT_EFFORT_BUDGETS: Readonly<Record<ReasoningEffort, number>> = {
  low: 4_000,
  medium: 16_000,
  high: 32_000,
};

export type ParsedOptions =
  | {
      kind: "ok";
      prompt: string;
      options: DispatchOptions | undefined;
      /** The route settings the user overrode, where the route allows it. */
      settings?: DispatchSettings;
    }
  | { kind: "invalid"; problems: string[] };

/** One option word at the start of the rest: `--name` or `--name=value`, then a space or the end. */
const LEADING_OPTION = /^--([a-z][a-z-]*)(?:=(\S+))?(?=\s|$)/;
/** A separate value word on the same line (`--model NAME`): anything but another option. */
const SPACED_VALUE = /^[ \t]+(?!--)(\S+)/;
const OPTIONS_TAKING_VALUES = new Set(["model", "effort", "repo", "branch"]);
const SETTING_OPTIONS = { repo: "repository", branch: "branch" } as const;
const EFFORTS = Object.keys(DEFAULT_EFFORT_BUDGETS) as ReasoningEffort[];

interface OptionWord {
  name: string;
  value: string | undefined;
}

export function parseMessageOptions(text: string, policy: OptionsPolicy): ParsedOptions {
  const { words, rest } = readLeadingBlock(text);
  const problems: string[] = [];
  const options: DispatchOptions = {};
  const settings: DispatchSettings = {};
  for (const { name, value } of words) {
    if (name === "model") {
      if (!value) problems.push("`--model` needs a name, e.g. `--model=NAME`.");
      else if (!policy.allowedModels.includes(value)) {
        problems.push(
          policy.allowedModels.length
            ? `Model \`${value}\` is not allowed here. Allowed: ${policy.allowedModels.map((m) => `\`${m}\``).join(", ")}.`
            : "Choosing a model is not enabled here.",
        );
      } else options.model = value;
    } else if (name === "effort") {
      if (!value || !EFFORTS.includes(value as ReasoningEffort)) {
        problems.push(`\`--effort\` takes ${EFFORTS.map((e) => `\`${e}\``).join(", ")}.`);
      } else {
        options.reasoningEffort = value as ReasoningEffort;
        options.extra = { thinkingBudgetTokens: policy.effortBudgets[value as ReasoningEffort] };
      }
    } else if (name === "repo" || name === "branch") {
      if (!policy.overrides?.[name])
        problems.push(`\`--${name}\` cannot be changed in this channel.`);
      else if (!value) problems.push(`\`--${name}\` needs a value, e.g. \`--${name}=NAME\`.`);
      else settings[SETTING_OPTIONS[name]] = value;
    } else {
      problems.push(`Unknown option \`--${name}\`. Known options: ${knownOptions(policy)}.`);
    }
  }
  if (problems.length > 0) return { kind: "invalid", problems };
  return {
    kind: "ok",
    prompt: rest,
    options: Object.keys(options).length ? options : undefined,
    ...(Object.keys(settings).length ? { settings } : {}),
  };
}

function knownOptions(policy: OptionsPolicy): string {
  const names = ["model", "effort"];
  if (policy.overrides?.repo) names.push("repo");
  if (policy.overrides?.branch) names.push("branch");
  return names.map((n) => `\`--${n}\``).join(", ");
}

/**
 * Splits the leading option words off the text. The rest is returned as typed (only the
 * whitespace between the block and the request is dropped): its line breaks, code and flags
 * are the user's request.
 */
function readLeadingBlock(text: string): { words: OptionWord[]; rest: string } {
  const words: OptionWord[] = [];
  let rest = text.trim();
  for (;;) {
    const option = LEADING_OPTION.exec(rest);
    if (!option) break;
    const [whole, name = "", inline] = option;
    rest = rest.slice(whole.length);
    let value = inline;
    if (value === undefined && OPTIONS_TAKING_VALUES.has(name)) {
      const spaced = SPACED_VALUE.exec(rest);
      if (spaced) {
        value = spaced[1];
        rest = rest.slice(spaced[0].length);
      }
    }
    words.push({ name, value });
    rest = rest.trimStart();
  }
  return { words, rest };
}
