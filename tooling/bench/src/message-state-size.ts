/**
 * Bytes stored per request: Baton's slim record against the design it started from,
 * `JSON.stringify({ thread: thread.toJSON(), message: message.toJSON() })`.
 * Real Slack `app_mention` events are signed and run through the real Slack adapter's webhook
 * (its Web API calls answered by the loopback Slack emulator); the handler sees the same Thread
 * and Message a production mention handler sees.
 *
 *   pnpm --filter @baton/bench message-state-size
 */
import { toStoredMessageState } from "@baton/core";
import {
  createFixtureSlackEmulator,
  createSlackTestBot,
  FIXTURE_WORKSPACE,
  SAMPLE_MENTIONS,
} from "@baton/testing";
import type { Message, Thread } from "chat";
import { printTable, writeResults } from "./results";
import { slackWebhook } from "./slack-webhook";

/** The targets: Baton's record at most this fraction of the naive one. */
const TARGETS: Record<string, number> = { typical: 1 / 3, "long-markdown": 1 / 6 };

const slack = createFixtureSlackEmulator();
await slack.start();
const bot = createSlackTestBot({ apiUrl: slack.apiUrl });
const seen = new Map<string, { thread: Thread; message: Message }>();
bot.chat.onNewMention(async (thread, message) => {
  seen.set(message.id, { thread, message });
});
await bot.chat.initialize();

const rows: Record<string, string | number>[] = [];
const figures: Record<string, unknown>[] = [];
for (const sample of SAMPLE_MENTIONS) {
  const { envelope, ts } = slack.composeMention({
    channel: FIXTURE_WORKSPACE.channel.id,
    user: FIXTURE_WORKSPACE.human.id,
    ...sample.input,
  });
  const pending: Promise<unknown>[] = [];
  const response = await bot.chat.webhooks.slack(slackWebhook(envelope), {
    waitUntil: (task) => void pending.push(task),
  });
  await Promise.all(pending);
  const captured = seen.get(ts);
  if (response.status !== 200 || !captured) {
    throw new Error(
      `the Slack adapter did not hand "${sample.name}" to the handler (${response.status})`,
    );
  }
  const { thread, message } = captured;
  const naive = Buffer.byteLength(
    JSON.stringify({ thread: thread.toJSON(), message: message.toJSON() }),
  );
  const baton = Buffer.byteLength(JSON.stringify(toStoredMessageState(thread, message)));
  const target = TARGETS[sample.name];
  const ratio = baton / naive;
  rows.push({
    sample: sample.name,
    "text B": Buffer.byteLength(message.text),
    "naive B": naive,
    "baton B": baton,
    "baton/naive": `1/${(naive / baton).toFixed(1)}`,
    target: target ? `<= 1/${Math.round(1 / target)} ${ratio <= target ? "met" : "MISSED"}` : "-",
  });
  figures.push({
    sample: sample.name,
    textBytes: Buffer.byteLength(message.text),
    naiveBytes: naive,
    batonBytes: baton,
    ratio,
    target: target ?? null,
    targetMet: target ? ratio <= target : null,
  });
}

printTable(rows);
console.log(`\nresults: ${writeResults("message-state-size", figures)}`);
await slack.stop();
process.exit(0);
