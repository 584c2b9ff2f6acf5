import type { EmulatorFile } from "@baton/slack-emulator";

/** A ~1.8 KB mrkdwn message of the kind people hand to a coding agent. */
const LONG_MARKDOWN = [
  "*Release checklist for the billing service* — can you take this on?",
  "",
  "We are shipping the _invoice batching_ change on Thursday. Before that:",
  "• Run the migration `2026_11_add_invoice_batches` against staging and check the row counts",
  "• Update the `BillingClient` retry policy: max 3 attempts, exponential backoff from 200 ms",
  "• Add a feature flag `billing.batching.enabled` defaulting to *off*",
  "• Write the runbook entry in <https://wiki.example.com/billing/runbooks|the billing runbook>",
  "",
  "The failing test from last night:",
  "```",
  "FAIL src/invoices/batcher.test.ts > groups invoices by customer and currency",
  "  Expected: 3 batches",
  "  Received: 4 batches",
  "    at Object.<anonymous> (src/invoices/batcher.test.ts:42:17)",
  "```",
  "",
  "> Note from the last incident: never batch across currencies, the ledger cannot reconcile them.",
  "",
  "I think the bug is in `groupByCustomer` — it keys on `customerId` only. Could you:",
  "• fix the grouping key to include `currency`",
  "• add a regression test with two currencies for one customer",
  "• open a PR against `main` and link it here :pray:",
  "",
  "Context: <https://github.com/example/billing/pull/1234> introduced the batcher, and",
  "<https://github.com/example/billing/issues/1250|issue 1250> has the customer report.",
  "Please keep the public API of `InvoiceBatcher` unchanged, other teams import it.",
  "",
  "*Acceptance*",
  "• `pnpm test` green on CI, including the new two-currency case",
  "• staging dashboard shows _one_ batch per customer and currency after a dry run",
  "• a short summary in this thread: what changed, what you tested, anything you left alone",
  "Timeline: the staging window opens Wednesday 14:00 UTC. If anything blocks the migration, post",
  "here and tag the billing on-call before 16:00 so we can still move the release by a day.",
  "Thanks! Ping me if the staging migration takes longer than *10 minutes*.",
].join("\n");

export interface SampleMention {
  name: string;
  /** What the user types (mrkdwn, the bot mention is added) and shares. */
  input: { text: string; files?: EmulatorFile[] };
}

export const SAMPLE_MENTIONS: readonly SampleMention[] = [
  { name: "short", input: { text: "status?" } },
  {
    name: "typical",
    input: {
      text: "can you look at why the nightly build for the payments service failed and open a PR with a fix if it is a flaky test?",
    },
  },
  { name: "long-markdown", input: { text: LONG_MARKDOWN } },
  {
    name: "with-file",
    input: {
      text: "here is the crash log from production, what is going on?",
      files: [{ id: "F0CRASHLOG1", name: "crash.log", mimetype: "text/plain", size: 48_213 }],
    },
  },
  {
    name: "non-ascii",
    input: {
      text: "peux-tu résumer ce fil ? 你好，请帮我看看这个错误 — Привет 👋 ✅ ¿Qué pasó con el despliegue?",
    },
  },
];
