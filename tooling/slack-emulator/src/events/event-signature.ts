import { createHmac } from "node:crypto";

/** Slack request signing: `v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{body}`. */
export function signSlackRequest(
  signingSecret: string,
  timestampSeconds: number,
  body: string,
): string {
  const digest = createHmac("sha256", signingSecret)
    .update(`v0:${timestampSeconds}:${body}`)
    .digest("hex");
  return `v0=${digest}`;
}
