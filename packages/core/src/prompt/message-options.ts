import type { DispatchOptions, ReasoningEffort } from "@baton/agent-protocol";

/**
 * Per-request options typed in the message, CLI style: `--model=NAME` or `--model NAME`,
 * `--effort=low|medium|high`. Options are removed from the prompt, validated against the
 * operator's allow-list and caps, and passed to the agent. Anything unknown or not allowed is
 * refused with a reply that says what is accepted; nothing is dispatched then.
 */
export interface OptionsPolicy {
  /** Models a user may pick; empty means the agent's default only. */
  allowedModels: readonly string[];
  /** Thinking budget (tokens) per effort, already capped by the operator. */
  effortBudgets: Readonly<Record<ReasoningEffort, number>>;
}

export const DEFAULT_EFFORT_BUDGETS: Readonly<Record<ReasoningEffort, number>> = {
  low: 4_000,
  medium: 16_000,
  high: 32_000,
};

export type ParsedOptions =
  | { kind: "ok"; prompt: string; options: DispatchOptions | undefined }
  | { kind: "invalid"; problems: string[] };

const OPTION = /(^|\s)--([a-z][a-z-]*)(?:=(\S+)|\s+(?!--)(\S+))?/g;
const EFFORTS = Object.keys(DEFAULT_EFFORT_BUDGETS) as ReasoningEffort[];

export function parseMessageOptions(text: string, policy: OptionsPolicy): ParsedOptions {
  const problems: string[] = [];
  const options: DispatchOptions = {};
  for (const match of text.matchAll(OPTION)) {
    const [, , name = "", inline, spaced] = match;
    const value = inline ?? spaced;
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
    } else {
      problems.push(`Unknown option \`--${name}\`. Known options: \`--model\`, \`--effort\`.`);
    }
  }
  if (problems.length > 0) return { kind: "invalid", problems };
  const prompt = text
    .replace(OPTION, "$1")
    .replace(/\s{2,}/g, " ")
    .trim();
  return { kind: "ok", prompt, options: Object.keys(options).length ? options : undefined };
}
