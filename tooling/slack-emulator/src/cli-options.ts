import { parseArgs } from "node:util";
import type { SlackEmulatorOptions } from "./types";

/** Turns CLI flags, `KEY=VALUE` arguments and an environment into emulator options. */

export type CliParse =
  | { kind: "run"; options: SlackEmulatorOptions }
  | { kind: "help"; text: string }
  | { kind: "error"; message: string };

export const CLI_DEFAULTS = {
  port: 4010,
  signingSecret: "emulator-signing-secret",
  botToken: "xoxb-emulator-token",
  botUserId: "U0BATONBOT1",
  botName: "baton",
  teamId: "T0EMULATOR1",
} as const;

/** flag name -> environment-style key */
const KEYS = {
  port: "SLACK_EMULATOR_PORT",
  "signing-secret": "SLACK_SIGNING_SECRET",
  "bot-token": "SLACK_BOT_TOKEN",
  "bot-user-id": "SLACK_BOT_USER_ID",
  "bot-name": "SLACK_BOT_NAME",
  "team-id": "SLACK_TEAM_ID",
  "webhook-url": "SLACK_EVENTS_URL",
  "workspace-file": "SLACK_EMULATOR_WORKSPACE_FILE",
} as const;

type Flag = keyof typeof KEYS;

export const CLI_HELP = `Usage: tsx src/main.ts [--flag value | KEY=VALUE]...
${Object.entries(KEYS)
  .map(([flag, key]) => `  --${flag.padEnd(15)} ${key}`)
  .join("\n")}
  --channel ID:NAME    add a channel (repeatable; default C0000000001:general)
  --user ID:NAME       add a human user (repeatable; default U0000000001:alice)
Flags win over KEY=VALUE arguments, which win over the environment.`;

function pairs(values: string[] | undefined): { id: string; name: string }[] | undefined {
  if (!values?.length) return undefined;
  return values.map((value) => {
    const [id = "", name = id.toLowerCase()] = value.split(":", 2);
    return { id, name };
  });
}

export function parseCliOptions(argv: string[], env: Record<string, string | undefined>): CliParse {
  let parsed: ReturnType<typeof parseArgs>;
  const flagOptions = Object.fromEntries(
    Object.keys(KEYS).map((flag) => [flag, { type: "string" as const }]),
  );
  try {
    parsed = parseArgs({
      // `pnpm start -- --flag` passes the "--" through.
      args: argv[0] === "--" ? argv.slice(1) : argv,
      allowPositionals: true,
      options: {
        ...flagOptions,
        channel: { type: "string", multiple: true },
        user: { type: "string", multiple: true },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    return { kind: "error", message: error instanceof Error ? error.message : String(error) };
  }
  if (parsed.values.help) return { kind: "help", text: CLI_HELP };
  const assignments: Record<string, string> = {};
  for (const positional of parsed.positionals) {
    const at = positional.indexOf("=");
    if (at <= 0) return { kind: "error", message: `unexpected argument "${positional}"` };
    assignments[positional.slice(0, at)] = positional.slice(at + 1);
  }
  const read = (flag: Flag): string | undefined => {
    const value = parsed.values[flag];
    if (typeof value === "string") return value;
    return assignments[KEYS[flag]] ?? env[KEYS[flag]];
  };
  const portText = read("port");
  const port = portText === undefined ? CLI_DEFAULTS.port : Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    return { kind: "error", message: `invalid port "${portText}"` };
  }
  const channels = parsed.values.channel;
  const users = parsed.values.user;
  return {
    kind: "run",
    options: {
      host: "127.0.0.1",
      port,
      signingSecret: read("signing-secret") ?? CLI_DEFAULTS.signingSecret,
      botToken: read("bot-token") ?? CLI_DEFAULTS.botToken,
      botUserId: read("bot-user-id") ?? CLI_DEFAULTS.botUserId,
      botName: read("bot-name") ?? CLI_DEFAULTS.botName,
      teamId: read("team-id") ?? CLI_DEFAULTS.teamId,
      webhookUrl: read("webhook-url"),
      ...(read("workspace-file") ? { workspaceFile: read("workspace-file") } : {}),
      channels: pairs(Array.isArray(channels) ? channels.map(String) : undefined),
      users: pairs(Array.isArray(users) ? users.map(String) : undefined),
    },
  };
}
