import type { LocalStack } from "@baton/stack";
import { FIXTURE_WORKSPACE } from "@baton/testing";
import { sleep } from "./sleep";

type EventDelivery = Awaited<ReturnType<LocalStack["slack"]["redeliver"]>>;
type RetryReason = NonNullable<Parameters<LocalStack["slack"]["redeliver"]>[1]>;

/** One webhook answer as Slack saw it. */
export interface WebhookAnswer {
  eventId: string;
  retryNum: number;
  /** null: no HTTP answer (timeout, connection failure). */
  status: number | null;
  startedAt: number;
  answeredAt: number;
  latencyMs: number;
}

export interface SlackRetryOptions {
  /** Every answer is appended here, first delivery and retries alike. */
  log: WebhookAnswer[];
  /** Slack gives up after this long (its own schedule spans minutes; ours is compressed). */
  maxTotalMs: number;
}

export interface RetriedMention {
  threadTs: string;
  eventId: string;
  deliveries: number;
  final: WebhookAnswer;
}

/** Slack retries about at once, then after a minute, then five: compressed here to fit a test. */
const RETRY_DELAYS_MS = [200, 500, 1_000] as const;

/**
 * A user mentions the bot, and "Slack" delivers the event until it is answered 200, like Slack's
 * retries: the identical body again with `x-slack-retry-num` + 1 (the emulator's `redeliver`).
 * Gives up after `maxTotalMs`; the last answer says how it ended.
 */
export async function mentionWithRetries(
  stack: LocalStack,
  text: string,
  options: SlackRetryOptions,
): Promise<RetriedMention> {
  const started = Date.now();
  const first = await stack.slack.mention({
    channel: stack.channel,
    user: FIXTURE_WORKSPACE.human.id,
    text,
  });
  if (!first.ts) throw new Error(`the emulator did not record the mention: ${first.error}`);
  let answer = record(first, options.log);
  let deliveries = 1;
  while (answer.status !== 200 && Date.now() - started < options.maxTotalMs) {
    await sleep(RETRY_DELAYS_MS[Math.min(deliveries - 1, RETRY_DELAYS_MS.length - 1)] ?? 1_000);
    answer = record(await stack.slack.redeliver(first.eventId, reasonFor(answer)), options.log);
    deliveries++;
  }
  return { threadTs: first.ts, eventId: first.eventId, deliveries, final: answer };
}

function record(delivery: EventDelivery, log: WebhookAnswer[]): WebhookAnswer {
  const answer: WebhookAnswer = {
    eventId: delivery.eventId,
    retryNum: delivery.retryNum,
    status: delivery.status,
    startedAt: delivery.time,
    answeredAt: delivery.time + delivery.durationMs,
    latencyMs: delivery.durationMs,
  };
  log.push(answer);
  return answer;
}

function reasonFor(answer: WebhookAnswer): RetryReason {
  if (answer.status === null) return "http_timeout";
  return "http_error";
}
