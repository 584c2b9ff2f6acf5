import type { Logger, StateAdapter } from "chat";
import { z } from "zod";
import { OPERATOR_AUDIT_KEY, OPERATOR_AUDIT_MAX, OPERATOR_AUDIT_TTL_MS } from "../keys";
import { readStoredList } from "../state/stored-value";

export const OPERATOR_ACTIONS = ["retry-delivery", "finalise", "redispatch"] as const;
export type OperatorAction = (typeof OPERATOR_ACTIONS)[number];

/** One operator action and how it ended. Codes only: no message text, no token. */
export const auditEntrySchema = z.object({
  at: z.number(),
  actor: z.string().max(100),
  action: z.enum(OPERATOR_ACTIONS),
  botRequestId: z.string().max(100),
  result: z.string().max(200),
});

export type AuditEntry = z.infer<typeof auditEntrySchema>;

/**
 * The sole owner of the operator audit log: one capped list (the newest OPERATOR_AUDIT_MAX
 * kept), plus one structured log line per entry, so an action is on record even where the
 * store's list has rolled over.
 */
export interface OperatorAudit {
  record(entry: AuditEntry): Promise<void>;
  /** Newest first. */
  recent(limit?: number): Promise<AuditEntry[]>;
}

export function createOperatorAudit(state: StateAdapter, logger: Logger): OperatorAudit {
  return {
    async record(entry) {
      logger.info("operator action", { ...entry, at: new Date(entry.at).toISOString() });
      await state.appendToList(OPERATOR_AUDIT_KEY, entry, {
        maxLength: OPERATOR_AUDIT_MAX,
        ttlMs: OPERATOR_AUDIT_TTL_MS,
      });
    },
    async recent(limit = 100) {
      const read = await readStoredList<unknown>(state, OPERATOR_AUDIT_KEY);
      return read.items
        .flatMap((item) => {
          const parsed = auditEntrySchema.safeParse(item);
          return parsed.success ? [parsed.data] : [];
        })
        .reverse()
        .slice(0, limit);
    },
  };
}
