import type { StateAdapter } from "chat";
import { IDENTITY_WORKSPACE_INDEX_MAX, identityKey, identityWorkspaceIndexKey } from "../keys";
import type { ErrorReporter } from "../ports";
import { corruptValueReporter } from "../state/corrupt-report";
import { readStored } from "../state/stored-value";

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
  link(ref: IdentityRef, accountId: string): Promise<void>;
  unlink(ref: IdentityRef): Promise<void>;
  /**
   * Removes every identity linked in a workspace (the app was uninstalled there); answers how
   * many index entries it went through.
   */
  forgetWorkspaceIdentities(workspaceId: string): Promise<number>;
}

interface WorkspaceIndexEntry {
  platform?: unknown;
  userId?: unknown;
}

const NO_WORKSPACE = "-";

export function createIdentityStore(
  state: StateAdapter,
  options: { reporter?: ErrorReporter; now?: () => number } = {},
): IdentityStore {
  const reportCorrupt = corruptValueReporter(options.reporter, state);
  const now = options.now ?? Date.now;
  const keyOf = (ref: IdentityRef) =>
    identityKey(ref.platform, ref.workspaceId ?? NO_WORKSPACE, ref.userId);
  return {
    async accountOf(ref) {
      const stored = await readStored<{ accountId?: unknown }>(state, keyOf(ref));
      if (stored.kind === "missing") return undefined;
      const accountId = stored.kind === "found" ? stored.value?.accountId : undefined;
      if (typeof accountId === "string" && accountId !== "") return accountId;
      // An identity that cannot be read counts as none: the request goes out without an
      // account rather than as someone else's.
      reportCorrupt("identity", stored.kind === "corrupt" ? stored.reason : "shape", {
        bucket: `${ref.platform}:${ref.workspaceId ?? NO_WORKSPACE}:${ref.userId}`,
      });
      return undefined;
    },
    async link(ref, accountId) {
      await state.set(keyOf(ref), { accountId, linkedAt: now() });
      // Indexed after the write: a crash between the two leaves an identity an uninstall
      // misses, never an index entry without an identity (which would be harmless anyway).
      if (ref.workspaceId !== undefined) {
        await state.appendToList(
          identityWorkspaceIndexKey(ref.workspaceId),
          { platform: ref.platform, userId: ref.userId },
          { maxLength: IDENTITY_WORKSPACE_INDEX_MAX },
        );
      }
    },
    unlink: (ref) => state.delete(keyOf(ref)),
    async forgetWorkspaceIdentities(workspaceId) {
      // The list itself cannot be deleted through the StateAdapter contract; its stale
      // entries only make a later uninstall delete keys that are already gone.
      const entries = await state.getList<WorkspaceIndexEntry>(
        identityWorkspaceIndexKey(workspaceId),
      );
      for (const entry of entries) {
        if (typeof entry?.platform !== "string" || typeof entry.userId !== "string") continue;
        await state.delete(keyOf({ platform: entry.platform, workspaceId, userId: entry.userId }));
      }
      return entries.length;
    },
  };
}
