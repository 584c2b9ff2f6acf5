import { RequestFailureError } from "../errors";
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
 * the wrong shape), naming the family and the request or thread, never the content. Stores that
 * treat such a value as absent call this once per value they replace.
 */
export type CorruptValueReport = (family: string, reason: string, owner: CorruptOwner) => void;

export function corruptValueReporter(reporter: ErrorReporter | undefined): CorruptValueReport {
  return (family, reason, owner) => {
    reporter?.report(new RequestFailureError("STATE_CORRUPT", `${family}: ${reason}`), {
      tags: { component: "state", operation: "read", reason: "state-corrupt", family },
      context: { ...owner, keyFamily: family, corruptReason: reason },
    });
  };
}
