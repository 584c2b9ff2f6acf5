import { lookup } from "node:dns";
import type { IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { BlockList, isIP, type LookupFunction } from "node:net";
import {
  createApiOriginFileTransport,
  type FileTransport,
  type PlatformFileOpening,
  type PlatformFileSource,
} from "@baton/core";
import type { MultiWorkspaceSlackAdapter } from "./install/multi-workspace-slack-adapter";

/**
 * Origins the bot token may be sent to (the Slack adapter's own list, 4.41): a redirect to any
 * other host is followed without it.
 */
const SLACK_TOKEN_ORIGINS = new Set([
  "https://files.slack.com",
  "https://files.slack-gov.com",
  "https://slack-files.com",
  "https://slack-files-gov.com",
  "https://slack.com",
  "https://slack-gov.com",
]);
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;

export interface SlackFileSourceOptions {
  /** The bot token for a file: of the workspace it was shared in, else of the thread's channel. */
  tokenFor: (where: { teamId: string | undefined; channel: string }) => Promise<string | undefined>;
  /** SLACK_API_URL's transport (it carries files.slack.com paths to that origin); else HTTPS. */
  transport?: FileTransport;
  /** SLACK_API_URL: its origin also gets the token, as the adapter does. */
  apiUrl?: string;
}

/**
 * Slack files streamed to the agent: the file's `url_private` fetched with the workspace's bot
 * token under the adapter's rules (HTTPS only, the token only to Slack's hosts, redirects
 * followed a few hops, internal addresses refused, Slack's sign-in page recognised as a missing
 * `files:read` scope), and the body handed over unread, to be read as the agent reads.
 */
export function createSlackFileSource(options: SlackFileSourceOptions): PlatformFileSource {
  const send = options.transport ?? guardedHttpsTransport;
  const apiOrigin = options.apiUrl ? new URL(options.apiUrl).origin : undefined;
  const mayCarryToken = (url: URL) =>
    SLACK_TOKEN_ORIGINS.has(url.origin) || (apiOrigin !== undefined && url.origin === apiOrigin);

  return {
    supports: (platform) => platform === "slack",
    async open(ask): Promise<PlatformFileOpening> {
      const link = ask.attachment.fetchMetadata?.url ?? ask.attachment.url;
      if (!link) return { kind: "unavailable", why: "the file has no URL" };
      // slack:{channel}:{threadTs}
      const channel = ask.threadId.split(":")[1] ?? "";
      const token = await options.tokenFor({
        teamId: ask.attachment.fetchMetadata?.teamId,
        channel,
      });
      if (!token) return { kind: "unavailable", why: "no bot token for the file's workspace" };
      let url = new URL(link);
      for (let hop = 0; hop <= MAX_REDIRECTS; hop += 1) {
        if (url.protocol !== "https:" || url.username || url.password) {
          return { kind: "unavailable", why: `refusing to fetch a file from ${url.origin}` };
        }
        const response = await send(url, ask.signal, {
          // The bytes go to the agent as Slack stores them: no decoding on the way.
          "accept-encoding": "identity",
          "user-agent": "Baton",
          ...(mayCarryToken(url) ? { authorization: `Bearer ${token}` } : {}),
        });
        const status = response.statusCode ?? 0;
        if (REDIRECT_STATUSES.has(status)) {
          const location = response.headers.location;
          response.destroy();
          if (!location) return { kind: "unavailable", why: "a redirect without a location" };
          url = new URL(location, url);
          continue;
        }
        return opening(response, ask.maxBytes);
      }
      return { kind: "unavailable", why: "too many redirects" };
    },
  };
}

/**
 * The app's Slack file source: with OAuth installs the token of the file's workspace (its team
 * id, else the thread's channel), otherwise the one configured bot token; with SLACK_API_URL the
 * files.slack.com links go to that origin (the emulator), as the adapter's downloads do.
 */
export function slackFileSourceFor(config: {
  botToken: string | undefined;
  apiUrl: string | undefined;
  installs: MultiWorkspaceSlackAdapter | undefined;
}): PlatformFileSource {
  const { installs, botToken, apiUrl } = config;
  return createSlackFileSource({
    tokenFor: installs
      ? async ({ teamId, channel }) =>
          (teamId ? (await installs.getInstallation(teamId))?.botToken : undefined) ??
          installs.tokenForChannel(channel)
      : async () => botToken,
    ...(apiUrl ? { apiUrl, transport: createApiOriginFileTransport(apiUrl) } : {}),
  });
}

function opening(response: IncomingMessage, maxBytes: number): PlatformFileOpening {
  const status = response.statusCode ?? 0;
  const refuse = (why: string): PlatformFileOpening => {
    response.destroy();
    return { kind: "unavailable", why };
  };
  if (status < 200 || status >= 300) return refuse(`Slack answered ${status}`);
  const type = response.headers["content-type"] ?? "";
  if (type.includes("text/html")) {
    // Slack answers a request its token may not make with the sign-in page, not an error.
    return refuse("Slack answered its sign-in page: does the app have the files:read scope?");
  }
  const encoding = response.headers["content-encoding"]?.trim().toLowerCase() ?? "identity";
  if (encoding !== "identity") return refuse(`unexpected content-encoding ${encoding}`);
  const declared = Number(response.headers["content-length"]);
  const size = Number.isSafeInteger(declared) && declared >= 0 ? declared : undefined;
  if (size !== undefined && size > maxBytes) {
    response.destroy();
    return { kind: "too-large", size };
  }
  return {
    kind: "stream",
    body: bodyOf(response),
    ...(size !== undefined ? { size } : {}),
    ...(type ? { mimeType: type } : {}),
  };
}

/** The response's bytes, read from the socket only when the reader asks for the next chunk. */
function bodyOf(response: IncomingMessage): ReadableStream<Uint8Array> {
  const chunks = response[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const next = await chunks.next();
        if (next.done) controller.close();
        else controller.enqueue(next.value);
      },
      cancel() {
        response.destroy();
      },
    },
    { highWaterMark: 0 },
  );
}

/** Addresses a file link must never reach (loopback, private, link-local, multicast). */
const INTERNAL = new BlockList();
for (const [net, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.168.0.0", 16],
  ["224.0.0.0", 3],
] as const) {
  INTERNAL.addSubnet(net, prefix, "ipv4");
}
for (const [net, prefix] of [
  ["::", 127],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
  ["::ffff:0:0", 96],
] as const) {
  INTERNAL.addSubnet(net, prefix, "ipv6");
}

const isInternal = (address: string, family: number) =>
  INTERNAL.check(address, family === 6 ? "ipv6" : "ipv4");

/** Resolves like `dns.lookup`, refusing a host that resolves to an internal address. */
const guardedLookup: LookupFunction = (hostname, options, callback) => {
  lookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, "", 0);
    const internal = addresses.find((a) => isInternal(a.address, a.family));
    if (internal || addresses.length === 0) {
      return callback(new Error(`refusing ${hostname}: it resolves to an internal address`), "", 0);
    }
    if (options.all) return callback(null, addresses);
    const [first] = addresses;
    return callback(null, first?.address ?? "", first?.family ?? 4);
  });
};

/** Slack's own file hosts over HTTPS, with internal addresses refused at connect time. */
const guardedHttpsTransport: FileTransport = (url, signal, headers) =>
  new Promise<IncomingMessage>((resolve, reject) => {
    const family = isIP(url.hostname.replace(/^\[|\]$/g, ""));
    if (family && isInternal(url.hostname.replace(/^\[|\]$/g, ""), family)) {
      reject(new Error(`refusing to fetch a file from ${url.hostname}`));
      return;
    }
    const outgoing = httpsRequest(url, { headers, signal, lookup: guardedLookup }, resolve);
    outgoing.on("error", reject);
    outgoing.end();
  });
