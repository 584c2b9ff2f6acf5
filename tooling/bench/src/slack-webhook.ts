import { signSlackRequest } from "@baton/slack-emulator";
import { FIXTURE_WORKSPACE } from "@baton/testing";

/** The webhook Slack sends for `envelope`, signed as Slack signs it for the fixture workspace. */
export function slackWebhook(envelope: Record<string, unknown>): Request {
  const body = JSON.stringify(envelope);
  const timestamp = Math.floor(Date.now() / 1000);
  return new Request("http://127.0.0.1/api/webhooks/slack", {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-slack-request-timestamp": String(timestamp),
      "x-slack-signature": signSlackRequest(FIXTURE_WORKSPACE.signingSecret, timestamp, body),
    },
    body,
  });
}
