import type { StateAdapter } from "chat";
import { z } from "zod";
import { BOT_REQUEST_RECORD_TTL_MS, REQUEST_EVENTS_MAX, requestEventsKey } from "../keys";
import { type BatchOp, runStateBatch } from "../state/state-batch";
import { readStoredList } from "../state/stored-value";

/** One timeline entry that no record keeps. Codes only: never a message text or a secret. */
export const requestEventSchema = z.object({
  at: z.number(),
  kind: z.enum(["callback", "operator"]),
  /** callback: its answer's outcome or error code; operator: the action and how it ended. */
  code: z.string().max(200),
  status: z.number().int().optional(),
  actor: z.string().max(100).optional(),
});

export type RequestEvent = z.infer<typeof requestEventSchema>;

/**
 * The sole owner of `bot-request-events:{id}`: a per-request list capped at REQUEST_EVENTS_MAX
 * (the newest kept), expiring with the request's records. Written only beside work that already
 * writes, so it costs the hot paths no sequential round trip.
 */
export interface RequestEvents {
  append(botRequestId: string, event: RequestEvent): Promise<void>;
  /** `append` as an op, for a batch that writes anyway (a terminal callback's finish). */
  appendOp(botRequestId: string, event: RequestEvent): BatchOp;
  /** Oldest first; entries of the wrong shape are left out (a timeline shows what it can). */
  list(botRequestId: string): Promise<RequestEvent[]>;
}

export function createRequestEvents(
  state: StateAdapter,
  ttlMs = BOT_REQUEST_RECORD_TTL_MS,
): RequestEvents {
  const appendOp = (botRequestId: string, event: RequestEvent): BatchOp => ({
    kind: "appendToList",
    key: requestEventsKey(botRequestId),
    value: event,
    maxLength: REQUEST_EVENTS_MAX,
    ttlMs,
  });
  return {
    appendOp,
    // As a one-op batch: on Redis the script loaded at connect (EVALSHA), not the adapter's
    // EVAL that sends its whole script with every callback's entry.
    append: async (botRequestId, event) => {
      await runStateBatch(state, [appendOp(botRequestId, event)]);
    },
    async list(botRequestId) {
      const read = await readStoredList<unknown>(state, requestEventsKey(botRequestId));
      return read.items.flatMap((item) => {
        const parsed = requestEventSchema.safeParse(item);
        return parsed.success ? [parsed.data] : [];
      });
    },
  };
}
