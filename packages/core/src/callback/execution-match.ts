import type { Callback } from "@baton/agent-protocol";
import type { BotRequestRecord } from "../request/bot-request-record";
import { type CallbackResponse, refused } from "./callback-response";

/** The code of a callback refused for coming from another execution than the dispatched one. */
export const EXECUTION_MISMATCH = "execution_mismatch";

/**
 * The rule: a callback speaks for the execution the agent named when it accepted the dispatch
 * (stored on the record as `executionId`). One that names another execution is refused with
 * 409 `execution_mismatch`, and changes nothing: it is a stale execution (an earlier attempt
 * the agent replaced), a bug in the agent, or a forgery by someone holding the request's key.
 *
 * A record without an `executionId` accepts any: the callback raced ahead of the dispatch's
 * answer (the agent started work and called back before Baton recorded its 202), and refusing
 * it would lose the answer. The signature has already tied it to this request.
 */
export function executionMismatch(
  record: Pick<BotRequestRecord, "executionId"> | null | undefined,
  callback: Pick<Callback, "executionId">,
): CallbackResponse | undefined {
  if (!record?.executionId || record.executionId === callback.executionId) return undefined;
  return refused(409, EXECUTION_MISMATCH);
}
