import type { EmulatorFile } from "../types";

/** The `files[]` entry Slack puts on a message that shares a file (private URLs, permalinks). */
export function fileObject(
  file: EmulatorFile,
  teamId: string,
  user: string,
): Record<string, unknown> {
  const base = `https://files.slack.com/files-pri/${teamId}-${file.id}`;
  return {
    id: file.id,
    created: 1_700_000_000,
    timestamp: 1_700_000_000,
    name: file.name,
    title: file.name,
    mimetype: file.mimetype,
    filetype: file.name.split(".").pop() ?? "bin",
    pretty_type: file.mimetype,
    user,
    user_team: teamId,
    editable: false,
    size: file.size,
    mode: "hosted",
    is_external: false,
    external_type: "",
    is_public: true,
    public_url_shared: false,
    display_as_bot: false,
    username: "",
    url_private: `${base}/${file.name}`,
    url_private_download: `${base}/download/${file.name}`,
    permalink: `https://emulated.slack.com/files/${user}/${file.id}/${file.name}`,
    permalink_public: `https://slack-files.com/${teamId}-${file.id}-0123456789`,
    has_rich_preview: false,
    file_access: "visible",
  };
}
