import type { StateAdapter } from "chat";
import { z } from "zod";
import { type SealedToken, TOKEN_CIPHER_VERSION, type TokenCipher } from "./token-cipher";

/**
 * Slack workspace installations (one per team), the bot token sealed by the token cipher. The
 * sole owner of its two key families: installations, and which workspace a channel belongs to
 * (a post made outside a webhook, such as an agent's reply, knows only its channel).
 */

export const INSTALLATION_KEY_PREFIX = "slack-installation:";
export const CHANNEL_WORKSPACE_KEY_PREFIX = "slack-channel-workspace:";
export const INSTALLATION_RECORD_VERSION = 1;

const installationKey = (teamId: string) => `${INSTALLATION_KEY_PREFIX}${teamId}`;
const channelWorkspaceKey = (channelId: string) => `${CHANNEL_WORKSPACE_KEY_PREFIX}${channelId}`;

const StoredInstallationSchema = z.object({
  v: z.literal(INSTALLATION_RECORD_VERSION),
  teamId: z.string().min(1),
  teamName: z.string().optional(),
  botUserId: z.string().optional(),
  installedAt: z.number(),
  token: z.object({
    v: z.literal(TOKEN_CIPHER_VERSION),
    kid: z.string(),
    iv: z.string(),
    tag: z.string(),
    data: z.string(),
  }),
});
type StoredInstallation = z.infer<typeof StoredInstallationSchema>;

export interface Installation {
  teamId: string;
  teamName?: string;
  botUserId?: string;
  botToken: string;
}

export type InstallationLookup =
  | { kind: "found"; installation: Installation }
  | { kind: "missing" }
  /** Stored, but no configured key opens it (a key was dropped too early) or it was altered. */
  | { kind: "unreadable"; reason: "unknown-key" | "corrupt" | "shape" };

export interface InstallationStore {
  save(installation: Installation): Promise<void>;
  /** Re-seals a token found under an old key with the current one, once, as it reads it. */
  find(teamId: string): Promise<InstallationLookup>;
  remove(teamId: string): Promise<void>;
  rememberChannel(channelId: string, teamId: string): Promise<void>;
  workspaceOfChannel(channelId: string): Promise<string | undefined>;
}

export function createInstallationStore(options: {
  state: StateAdapter;
  cipher: TokenCipher;
  now?: () => number;
}): InstallationStore {
  const { state, cipher } = options;
  const now = options.now ?? Date.now;
  // A channel never changes workspace: once written, this process need not write it again.
  const knownChannels = new Map<string, string>();

  async function write(installation: Installation, installedAt: number): Promise<void> {
    const record: StoredInstallation = {
      v: INSTALLATION_RECORD_VERSION,
      teamId: installation.teamId,
      ...(installation.teamName ? { teamName: installation.teamName } : {}),
      ...(installation.botUserId ? { botUserId: installation.botUserId } : {}),
      installedAt,
      token: cipher.seal(installation.botToken),
    };
    await state.set(installationKey(installation.teamId), record);
  }

  return {
    save: (installation) => write(installation, now()),
    async find(teamId) {
      const raw = await state.get<unknown>(installationKey(teamId));
      if (raw === null || raw === undefined) return { kind: "missing" };
      const parsed = StoredInstallationSchema.safeParse(raw);
      if (!parsed.success) return { kind: "unreadable", reason: "shape" };
      const record = parsed.data;
      const opened = cipher.open(record.token as SealedToken);
      if (opened.kind !== "opened") return { kind: "unreadable", reason: opened.kind };
      const installation: Installation = {
        teamId: record.teamId,
        botToken: opened.token,
        ...(record.teamName ? { teamName: record.teamName } : {}),
        ...(record.botUserId ? { botUserId: record.botUserId } : {}),
      };
      // Two instances may both re-seal: each writes a valid record under the current key.
      if (opened.stale) await write(installation, record.installedAt);
      return { kind: "found", installation };
    },
    remove: (teamId) => state.delete(installationKey(teamId)),
    async rememberChannel(channelId, teamId) {
      if (knownChannels.get(channelId) === teamId) return;
      await state.set(channelWorkspaceKey(channelId), { v: 1, teamId });
      knownChannels.set(channelId, teamId);
    },
    async workspaceOfChannel(channelId) {
      const known = knownChannels.get(channelId);
      if (known) return known;
      const stored = await state.get<{ teamId?: unknown }>(channelWorkspaceKey(channelId));
      const teamId = typeof stored?.teamId === "string" ? stored.teamId : undefined;
      if (teamId) knownChannels.set(channelId, teamId);
      return teamId;
    },
  };
}
