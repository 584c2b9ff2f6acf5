import type { StateAdapter } from "chat";
import { RequestFailureError } from "../errors";
import { CORRUPT_REPORTED_TTL_MS, corruptReportedKey } from "../keys";
import type { ErrorReporter } from "../ports";

/** Which request or thread a corrupt value belongs to, when its key names one. */
export interface CorruptOwner {
  botRequestId?: string;
  threadId?: string;
  /** A deadline bucket (its start, epoch ms) or another key that names no request. */
  bucket?: string;
}

/**
 * Tells the operators that a stored value of one key family could not be used (undecodable or
 * the wrong shape), naming the family and the request or thread, never the content. Once per
 * value while it lasts: the first reader to mark it reports it (a bad value left in place is
 * read on every sweep or retry). Never throws; the caller goes on as if the value were absent.
 */
export type CorruptValueReport = (family: string, reason: string, owner: CorruptOwner) => void;

export function corruptValueReporter(
  reporter: ErrorReporter | undefined,
  state: StateAdapter,
): CorruptValueReport {
  return (family, reason, owner) => {
    if (!reporter) return;
    const send = () =>
      reporter.report(new RequestFailureError("STATE_CORRUPT", `${family}: ${reason}`), {
        tags: { component: "state", operation: "read", reason: "state-corrupt", family },
        context: { ...owner, keyFamily: family, corruptReason: reason },
      });
    const who = owner.botRequestId ?? owner.threadId ?? owner.bucket ?? "global";
    // Better twice than never: when the mark cannot be written, the report still goes out.
    void state
      .setIfNotExists(corruptReportedKey(family, who), reason, CORRUPT_REPORTED_TTL_MS)
      .then(
        (first) => (first ? send() : undefined),
        () => send(),
      );
  };
}
