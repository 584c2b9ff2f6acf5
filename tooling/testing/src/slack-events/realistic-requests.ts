import { type Content, parseMarkdown } from "chat";
import { FIXTURE_WORKSPACE } from "./fixture-workspace";

/**
 * Requests as people in an engineering workspace type them to a coding agent, in the mrkdwn
 * Slack sends (`&lt;`/`&gt;`/`&amp;` escaped, links as `<url|label>`, mentions as `<@U…>`):
 * command lines full of flags in inline code, in code blocks and in plain prose, `--` and
 * em-dashes, long Markdown, non-ASCII, links, people and channels. Each says what must reach
 * the agent: Markdown fragments found verbatim in the prompt, the code fences' languages, the
 * options of a leading block, and the mentions' ids.
 */
export interface RealisticRequest {
  name: string;
  /** What the user types after the bot's mention, as Slack sends it. */
  text: string;
  expect: {
    /** Found verbatim in the dispatched prompt (its Markdown). */
    fragments: readonly string[];
    /** Languages of the prompt's code fences, in order. */
    codeLanguages?: readonly string[];
    /** The options read from the leading block; none when absent. */
    options?: { model?: string; reasoningEffort?: "low" | "medium" | "high" };
    mentions?: readonly { type: "user" | "channel"; id: string; name: string }[];
  };
}

const { human, channel } = FIXTURE_WORKSPACE;

// biome-ignore lint/suspicious/noTemplateCurlyInString: a shell parameter expansion, typed as is
const GIT_REBASE = 'git fetch --prune --tags && git rebase -i --autosquash "origin/${BASE:-main}"';
const BASH_BLOCK = [
  "```bash",
  "set -euo pipefail",
  GIT_REBASE,
  "git push --force-with-lease -- origin HEAD",
  "```",
];

const RELEASE_CHECKLIST = [
  "*Release checklist: ledger-service 4.12* — please run through it and tell me what is risky.",
  "",
  "1. Freeze `main` and tag `v4.12.0-rc.1`",
  "2. Run the schema diff against prod:",
  "```",
  "atlas schema diff --from env://prod --to file://schema.hcl --format '{{ sql . \"  \" }}'",
  "atlas migrate lint --dev-url docker://postgres/15 --latest 1 --fail-on destructive",
  "```",
  "3. Deploy canary with `helm upgrade ledger ./chart --atomic --timeout 10m --set canary.weight=5`",
  "",
  "&gt; If lint says destructive, stop — do *not* pass `--fail-on none` to get it through.",
  "",
  "Sign-off from <@U0HUMAN001> before step 3, status in <#C0GENERAL1>.",
].join("\n");

const INCIDENT_WRITEUP = [
  "*Incident 2026-11-30: checkout p99 at 4.2 s* (we need a fix before Friday)",
  "",
  "What we know so far:",
  "• the connection pool is capped at `max: 10` since <https://github.com/example/checkout/pull/2231|PR 2231>",
  "• traces show 3–4 s waits in `pg.connect()` — _only_ under the batch job",
  "• the batch job runs `node scripts/reconcile.js --concurrency=32 --since=2026-11-29`",
  "",
  "Config in prod:",
  "```yaml",
  "pool:",
  "  max: 10",
  "  idleTimeoutMillis: 30000",
  "batch:",
  '  args: ["--concurrency=32", "--dry-run=false"]',
  "```",
  "",
  "&gt; Hypothesis: the batch job starves the web pods. Can you confirm from the code and propose",
  "&gt; a change (pool per workload? lower `--concurrency`?) with a test?",
  "",
  "Dashboards: <https://grafana.example.com/d/checkout?from=now-24h&amp;to=now|checkout p99> ~and~ the slow-query log.",
  "Thanks :pray:",
].join("\n");

export const REALISTIC_REQUESTS: readonly RealisticRequest[] = [
  {
    name: "inline-code-flag",
    text: "why does `pnpm install --frozen-lockfile` fail on CI since the lockfile bump? Locally `pnpm i --no-frozen-lockfile` works.",
    expect: {
      fragments: [
        "`pnpm install --frozen-lockfile`",
        "`pnpm i --no-frozen-lockfile`",
        "why does",
        "fail on CI since the lockfile bump?",
      ],
    },
  },
  {
    name: "release-checklist-code-block",
    text: RELEASE_CHECKLIST,
    expect: {
      fragments: [
        "**Release checklist: ledger-service 4.12** — please run through it",
        "atlas migrate lint --dev-url docker://postgres/15 --latest 1 --fail-on destructive",
        `atlas schema diff --from env://prod --to file://schema.hcl --format '{{ sql . "  " }}'`,
        "`helm upgrade ledger ./chart --atomic --timeout 10m --set canary.weight=5`",
        "> If lint says destructive, stop — do **not** pass `--fail-on none` to get it through.",
        "Sign-off from @ada before step 3, status in #general (C0GENERAL1).",
      ],
      mentions: [
        { type: "user", id: human.id, name: human.name },
        { type: "channel", id: channel.id, name: channel.name },
      ],
    },
  },
  {
    name: "fenced-bash-with-language",
    text: ["this script hangs on the second step, any idea?", ...BASH_BLOCK].join("\n"),
    expect: { fragments: [BASH_BLOCK.join("\n")], codeLanguages: ["bash"] },
  },
  {
    name: "double-dash-and-em-dashes-in-prose",
    text: "the deploy failed -- again -- and I'm not sure whether npm run test -- --watch=false needs the extra -- before the args — or was it yarn?",
    expect: {
      fragments: [
        "the deploy failed -- again -- and I'm not sure whether npm run test -- --watch=false needs the extra -- before the args — or was it yarn?",
      ],
    },
  },
  { name: "incident-long-markdown", text: INCIDENT_WRITEUP, expect: incidentExpectations() },
  {
    name: "non-ascii-with-flags",
    text: "peux-tu vérifier pourquoi `next build --profile` échoue ? 日本語のロケールで `--locale=ja-JP` を渡すと壊れます — Привет 👋 ✅",
    expect: {
      fragments: [
        "peux-tu vérifier pourquoi `next build --profile` échoue ?",
        "日本語のロケールで `--locale=ja-JP` を渡すと壊れます — Привет 👋 ✅",
      ],
    },
  },
  {
    name: "links-bare-and-labelled",
    text: "CI is red on <https://github.com/example/api/pull/1234|PR 1234>, log at <https://ci.example.com/builds/9912>; the flake tracker is <https://wiki.example.com/flakes|here>.",
    expect: {
      fragments: [
        "[PR 1234](https://github.com/example/api/pull/1234)",
        "https://ci.example.com/builds/9912",
        "[here](https://wiki.example.com/flakes)",
      ],
    },
  },
  {
    name: "leading-options-then-flags",
    text: "--effort=high make `eslint . --max-warnings=0 --cache` pass without disabling rules",
    expect: {
      fragments: ["make `eslint . --max-warnings=0 --cache` pass without disabling rules"],
      options: { reasoningEffort: "high" },
    },
  },
  {
    name: "starts-with-inline-code-flag",
    text: "`--model` in our own CLI is ignored when `--config` is also set, can you find why?",
    expect: {
      fragments: [
        "`--model` in our own CLI is ignored when `--config` is also set, can you find why?",
      ],
    },
  },
  {
    name: "stack-trace-with-angle-brackets",
    text: [
      "getting this after `vitest run --reporter=verbose --pool=forks`:",
      "```",
      "TypeError: Cannot read properties of undefined (reading 'map')",
      "    at renderRows (src/table.tsx:88:21)",
      "    at &lt;anonymous&gt; (node_modules/.pnpm/react-dom@19.1.0/cjs/react-dom.js:1:1)",
      "```",
    ].join("\n"),
    expect: {
      fragments: [
        "`vitest run --reporter=verbose --pool=forks`",
        "    at <anonymous> (node_modules/.pnpm/react-dom@19.1.0/cjs/react-dom.js:1:1)",
      ],
    },
  },
  {
    name: "json-config-block",
    text: [
      "is this tsconfig right for a library? `tsc -b --verbose` rebuilds everything each time",
      "```json",
      "{",
      '  "compilerOptions": { "composite": true, "declaration": true, "outDir": "dist" },',
      '  "references": [{ "path": "../core" }]',
      "}",
      "```",
    ].join("\n"),
    expect: {
      fragments: [
        '  "compilerOptions": { "composite": true, "declaration": true, "outDir": "dist" },',
      ],
      codeLanguages: ["json"],
    },
  },
  {
    name: "kubectl-bullets-and-quote",
    text: [
      "rollout plan for the api, please double-check:",
      "• `kubectl rollout restart deploy/api -n prod --context=eu-west`",
      "• then `kubectl rollout status deploy/api -n prod --timeout=5m`",
      "&gt; terraform plan -out=tfplan -var-file=prod.tfvars --target=module.api",
      "cc <@U0HUMAN001>",
    ].join("\n"),
    expect: {
      fragments: [
        "- `kubectl rollout restart deploy/api -n prod --context=eu-west`",
        "- then `kubectl rollout status deploy/api -n prod --timeout=5m`",
        "> terraform plan -out=tfplan -var-file=prod.tfvars --target=module.api",
      ],
      mentions: [{ type: "user", id: human.id, name: human.name }],
    },
  },
];

function incidentExpectations(): RealisticRequest["expect"] {
  return {
    fragments: [
      "**Incident 2026-11-30: checkout p99 at 4.2 s** (we need a fix before Friday)",
      "- the connection pool is capped at `max: 10` since [PR 2231](https://github.com/example/checkout/pull/2231)",
      "- the batch job runs `node scripts/reconcile.js --concurrency=32 --since=2026-11-29`",
      '  args: ["--concurrency=32", "--dry-run=false"]',
      "> Hypothesis: the batch job starves the web pods.",
      "~~and~~",
      "checkout p99",
    ],
    codeLanguages: ["yaml"],
  };
}

/** What a dispatch carries that the corpus checks (a structural subset of DispatchRequest). */
export interface DispatchedRequestView {
  prompt: string;
  options?: { model?: string; reasoningEffort?: string } | undefined;
  context: { mentions?: readonly { type: string; id: string; name: string }[] | undefined };
}

/** Every code fence's language in a Markdown text, in order (`""` for none). */
export function codeFenceLanguages(markdown: string): string[] {
  const found: string[] = [];
  const visit = (node: Content) => {
    if (node.type === "code") found.push(node.lang ?? "");
    if ("children" in node) for (const child of node.children as Content[]) visit(child);
  };
  for (const node of parseMarkdown(markdown).children) visit(node);
  return found;
}

const flagCount = (text: string) => text.match(/--[a-z]/g)?.length ?? 0;

/**
 * How a dispatch falls short of a corpus request: fragments missing from the prompt, code fences
 * without their language, options read or missed, flags eaten, mentions without their ids.
 * Empty when the request reached the agent intact.
 */
export function realisticRequestProblems(
  request: RealisticRequest,
  sent: DispatchedRequestView,
): string[] {
  const problems: string[] = [];
  for (const fragment of request.expect.fragments) {
    if (!sent.prompt.includes(fragment)) problems.push(`prompt lacks ${JSON.stringify(fragment)}`);
  }
  const languages = codeFenceLanguages(sent.prompt);
  const expectedLanguages = request.expect.codeLanguages ?? languages.map(() => "");
  if (JSON.stringify(languages) !== JSON.stringify(expectedLanguages)) {
    problems.push(`code languages ${JSON.stringify(languages)}`);
  }
  const options = sent.options ?? {};
  const wanted = request.expect.options ?? {};
  if (
    options.model !== wanted.model ||
    options.reasoningEffort !== wanted.reasoningEffort ||
    (!request.expect.options && sent.options !== undefined)
  ) {
    problems.push(`options ${JSON.stringify(sent.options)}`);
  }
  // Only the leading options block may leave the text: every other flag reaches the agent.
  const leading = request.expect.options ? Object.keys(request.expect.options).length : 0;
  if (flagCount(sent.prompt) !== flagCount(request.text) - leading) {
    problems.push(`flags: ${flagCount(sent.prompt)} of ${flagCount(request.text) - leading} kept`);
  }
  const mentions = JSON.stringify(sent.context.mentions ?? []);
  if (mentions !== JSON.stringify(request.expect.mentions ?? [])) {
    problems.push(`mentions ${mentions}`);
  }
  return problems;
}
