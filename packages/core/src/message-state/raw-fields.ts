/**
 * The fields of a platform's raw message that posting from a rehydrated thread needs. Slack:
 * `team`/`team_id` pick the workspace token (multi-workspace installs) and the native-streaming
 * recipient team, `user` the recipient user, `channel`/`ts`/`thread_ts` the thread coordinates.
 * Platforms without an entry keep their raw payload whole: correctness before size.
 */
export const POSTING_RAW_FIELDS: Readonly<Record<string, readonly string[]>> = {
  slack: ["team", "team_id", "user", "channel", "ts", "thread_ts"],
};

export function slimRaw(adapterName: string, raw: unknown): unknown {
  const fields = POSTING_RAW_FIELDS[adapterName];
  if (!fields || raw === null || typeof raw !== "object") return raw ?? null;
  const source = raw as Record<string, unknown>;
  const kept: Record<string, unknown> = {};
  for (const field of fields) {
    if (source[field] !== undefined) kept[field] = source[field];
  }
  return kept;
}
