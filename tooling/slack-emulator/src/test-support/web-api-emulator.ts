/** Test support: a started emulator for Web API tests, with a client that holds its bot token. */
import { createSlackEmulator, type SlackEmulator } from "../slack-emulator";
import { createApiClient } from "./web-api-client";

/** The token the emulator accepts; its bot user is U0BOT (batonbot) of team T0TEAM. */
export const WEB_API_TOKEN = "xoxb-web-api";

export type WebApiEmulator = ReturnType<typeof createApiClient> & { emulator: SlackEmulator };

/** `now` is read on every call, so a test may move its clock between calls. */
export async function startWebApiEmulator(now: () => number): Promise<WebApiEmulator> {
  const emulator = createSlackEmulator({
    signingSecret: "s",
    botToken: WEB_API_TOKEN,
    botUserId: "U0BOT",
    botName: "batonbot",
    teamId: "T0TEAM",
    now,
  });
  await emulator.start();
  return { emulator, ...createApiClient(emulator.apiUrl, WEB_API_TOKEN) };
}
