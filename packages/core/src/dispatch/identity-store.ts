import type { StateAdapter } from "chat";
import { identityIndexKey, identityKey } from "../keys";
import type { ErrorReporter } from "../ports";
import { corruptValueReporter } from "../state/corrupt-report";
import { type BatchOp, type BatchResult, readAt } from "../state/state-batch";
import { readStored, readStoredList, type StoredRead } from "../state/stored-value";

/** Who a platform user is in the agent's account system. */
export interface IdentityRef {
  platform: string;
  /** The workspace (Slack team); `-` where the platform has none. */
  workspaceId: string | undefined;
  userId: string;
}

/**
 * Linked accounts. The dispatch reads one to tell the agent whose account to act as; linking
 * writes one, unlinking removes it.
 */
export interface IdentityStore {
  accountOf(ref: IdentityRef): Promise<string | undefined>;
  /** `accountOf` as an op of a caller's batch; `accountAt` reads its result at `at`. */
  accountOp(ref: IdentityRef): BatchOp;
  accountAt(ref: IdentityRef, results: readonly BatchResult[], at: number): string | undefined;
  link(ref: IdentityRef, accountId: string): Promise<void>;
  /** Whether there was an identity to remove. */
  unlink(ref: IdentityRef): Promise<boolean>;
  /**
   * Removes every identity linked in a workspace (the app was uninstalled there). `platform`
   * defaults to Slack, the one platform with installs. Returns how many users were forgotten.
   */
  forgetWorkspaceIdentities(workspaceId: string, platform?: string): Promise<number>;
}

/** The platform whose workspaces install and uninstall the app. */
const INSTALL_PLATFORM = "slack";

const NO_WORKSPACE = "-";

export function createIdentityStore(
  state: StateAdapter,
  options: { reporter?: ErrorReporter; now?: () => number } = {},
): IdentityStore {
  const reportCorrupt = corruptValueReporter(options.reporter, state);
  const now = options.now ?? Date.now;
  const keyOf = (ref: IdentityRef) =>
    identityKey(ref.platform, ref.workspaceId ?? NO_WORKSPACE, ref.userId);
  const accountFrom = (ref: IdentityRef, read: StoredRead<unknown>) => {
    const stored = read as StoredRead<{ accountId?: unknown } | null>;
    if (stored.kind === "missing") return undefined;
    const accountId = stored.kind === "found" ? stored.value?.accountId : undefined;
    if (typeof accountId === "string" && accountId !== "") return accountId;
    // An identity that cannot be read counts as none: the request goes out without an
    // account rather than as someone else's.
    reportCorrupt("identity", stored.kind === "corrupt" ? stored.reason : "shape", {
      bucket: `${ref.platform}:${ref.workspaceId ?? NO_WORKSPACE}:${ref.userId}`,
    });
    return undefined;
  };
  return {
    accountOf: async (ref) => accountFrom(ref, await readStored(state, keyOf(ref))),
    accountOp: (ref) => ({ kind: "get", key: keyOf(ref) }),
    accountAt: (ref, results, at) => accountFrom(ref, readAt(results, at)),
    async link(ref, accountId) {
      // The index first: an identity is never stored where uninstalling would not find it.
      // A user who links again is listed again; forgetting reads each user once.
      await state.appendToList(
        identityIndexKey(ref.platform, ref.workspaceId ?? NO_WORKSPACE),
        ref.userId,
      );
      await state.set(keyOf(ref), { accountId, linkedAt: now() });
    },
    async unlink(ref) {
      const had = (await readStored(state, keyOf(ref))).kind !== "missing";
      await state.delete(keyOf(ref));
      return had;
    },
    async forgetWorkspaceIdentities(workspaceId, platform = INSTALL_PLATFORM) {
      const indexKey = identityIndexKey(platform, workspaceId);
      const read = await readStoredList<unknown>(state, indexKey);
      if (read.corrupt) reportCorrupt("identity-index", "undecodable", { bucket: workspaceId });
      const users = new Set(read.items.filter((item): item is string => typeof item === "string"));
      for (const userId of users) await state.delete(identityKey(platform, workspaceId, userId));
      // The list last: if this fails half-way, uninstalling again still finds everyone.
      await state.delete(indexKey);
      return users.size;
    },
  };
}
