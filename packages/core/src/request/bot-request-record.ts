import { z } from "zod";
import { BOT_REQUEST_RECORD_VERSION } from "../keys";
import type { RequestLabels } from "../ports";

/** `queued`: a follow-up waiting for the thread's running request to end. */
export const ACTIVE_STATUSES = ["queued", "dispatching", "running"] as const;
export const FINAL_STATUSES = ["completed", "error", "cancelled"] as const;

export type ActiveStatus = (typeof ACTIVE_STATUSES)[number];
export type FinalStatus = (typeof FINAL_STATUSES)[number];
export type BotRequestStatus = ActiveStatus | FinalStatus;

const errorSchema = z.object({ code: z.string().max(100), message: z.string().max(2_000) });

/** What operators see about one request. Timestamps are epoch milliseconds. */
export const botRequestRecordSchema = z.object({
  v: z.literal(BOT_REQUEST_RECORD_VERSION),
  id: z.string(),
  platform: z.string(),
  threadId: z.string(),
  channelId: z.string(),
  messageId: z.string(),
  author: z.object({ userId: z.string(), userName: z.string() }),
  status: z.enum([...ACTIVE_STATUSES, ...FINAL_STATUSES]),
  createdAt: z.number(),
  updatedAt: z.number(),
  deadlineAt: z.number(),
  finalizedAt: z.number().optional(),
  agentSessionId: z.string().optional(),
  executionId: z.string().optional(),
  error: errorSchema.optional(),
});

export type BotRequestRecord = z.infer<typeof botRequestRecordSchema>;
export type BotRequestError = z.infer<typeof errorSchema>;

/** How a request ends. Exactly one outcome is ever recorded per request. */
export type FinalOutcome =
  | { status: "completed" }
  | { status: "cancelled"; error?: BotRequestError }
  | { status: "error"; error: BotRequestError };

/** The labels a request's metrics, spans and log lines carry. */
export function requestLabels(record: BotRequestRecord): RequestLabels {
  return { botRequestId: record.id, threadId: record.threadId, platform: record.platform };
}

export function isFinalStatus(status: BotRequestStatus): status is FinalStatus {
  return (FINAL_STATUSES as readonly string[]).includes(status);
}
