import { parseCliOptions } from "./cli-options";
import { createSlackEmulator } from "./slack-emulator";

// CLI entry: `tsx src/main.ts --help`. The only place that reads process.argv/env.
const parsed = parseCliOptions(process.argv.slice(2), process.env);
if (parsed.kind === "help") {
  console.log(parsed.text);
  process.exit(0);
}
if (parsed.kind === "error") {
  console.error(`slack-emulator: ${parsed.message}`);
  process.exit(2);
}

const { options } = parsed;
const emulator = createSlackEmulator(options);
const handle = await emulator.start();
console.log(`Slack emulator on ${handle.url}  (open it in a browser to chat)`);
console.log("Point the bot at it with:");
console.log(`  SLACK_API_URL=${handle.apiUrl}`);
console.log(`  SLACK_SIGNING_SECRET=${options.signingSecret}`);
console.log(`  SLACK_BOT_TOKEN=${options.botToken}`);
console.log(`  SLACK_BOT_USER_ID=${options.botUserId}`);
console.log(
  options.webhookUrl
    ? `Events go to ${options.webhookUrl}`
    : "No events URL: pass --webhook-url http://127.0.0.1:3000/api/webhooks/slack",
);

const shutdown = async () => {
  await handle.stop();
  process.exit(0);
};
process.once("SIGINT", shutdown);
process.once("SIGTERM", shutdown);
