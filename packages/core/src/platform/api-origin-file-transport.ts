import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";

/** The Chat SDK adapters' `fileTransport` shape (`AttachmentTransport` in @chat-adapter/shared). */
export type FileTransport = (
  url: URL,
  signal: AbortSignal,
  headers?: Record<string, string>,
) => Promise<IncomingMessage>;

/** The host Slack serves `url_private` file links from. */
const SLACK_FILES_HOST = "files.slack.com";

/**
 * When `SLACK_API_URL` points Slack's Web API elsewhere (a local emulator, a recording proxy),
 * file downloads follow it: the adapter still validates and authorises `https://files.slack.com/…`
 * links itself (bot token only to Slack hosts, size and time limits), and this transport only
 * carries the request to the same path on the configured API origin. Any other host is refused,
 * so the redirect cannot be used to reach an arbitrary address.
 */
export function createApiOriginFileTransport(apiUrl: string): FileTransport {
  const origin = new URL(apiUrl).origin;
  return (url, signal, headers) =>
    new Promise<IncomingMessage>((resolve, reject) => {
      if (url.hostname !== SLACK_FILES_HOST) {
        reject(new Error(`refusing to fetch a file from ${url.hostname}`));
        return;
      }
      const target = new URL(url.pathname + url.search, origin);
      const send = target.protocol === "https:" ? httpsRequest : httpRequest;
      const outgoing = send(target, { headers, signal }, resolve);
      outgoing.on("error", reject);
      outgoing.end();
    });
}
