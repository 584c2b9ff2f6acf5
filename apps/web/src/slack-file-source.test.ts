import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createApiOriginFileTransport, type PlatformFileOpening } from "@baton/core";
import { createFixtureSlackEmulator, FIXTURE_WORKSPACE } from "@baton/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSlackFileSource } from "./slack-file-source";

// Baton's Slack file source over loopback HTTP: the Slack emulator hosts a user's file at its
// `url_private` path, and a small stand-in for Slack's file host answers with redirects and
// headers the emulator never sends. Nothing is mocked: every request is real HTTP.

const FILE_ID = "F0SOURCE01";
const NAME = "Übersicht — p99 ✓.png";
const BYTES = randomBytes(300_000);
const THREAD = `slack:${FIXTURE_WORKSPACE.channel.id}:1700000000.000100`;

let emulator: ReturnType<typeof createFixtureSlackEmulator>;
let host: Server;
let hostUrl: string;
const seenByHost: { path: string; headers: IncomingHttpHeaders }[] = [];

function urlPrivate(id = FILE_ID, name = NAME): string {
  return `https://files.slack.com/files-pri/${FIXTURE_WORKSPACE.teamId}-${id}/${encodeURIComponent(name)}`;
}

function open(
  options: {
    token?: string;
    apiUrl?: string;
    link?: string;
    maxBytes?: number;
    signal?: AbortSignal;
  } = {},
): Promise<PlatformFileOpening> {
  const apiUrl = options.apiUrl ?? emulator.apiUrl;
  const source = createSlackFileSource({
    tokenFor: async () => ("token" in options ? options.token : FIXTURE_WORKSPACE.botToken),
    apiUrl,
    transport: createApiOriginFileTransport(apiUrl),
  });
  const link = options.link ?? urlPrivate();
  return source.open({
    platform: "slack",
    threadId: THREAD,
    attachment: { type: "image", url: link, fetchMetadata: { url: link } },
    signal: options.signal ?? AbortSignal.timeout(5_000),
    maxBytes: options.maxBytes ?? 1024 * 1024,
  });
}

async function bytesOf(opening: PlatformFileOpening): Promise<Buffer> {
  if (opening.kind !== "stream") throw new Error(`not a stream: ${JSON.stringify(opening)}`);
  const parts: Uint8Array[] = [];
  const reader = opening.body.getReader();
  for (let next = await reader.read(); !next.done; next = await reader.read()) {
    parts.push(next.value);
  }
  return Buffer.concat(parts);
}

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

beforeAll(async () => {
  emulator = createFixtureSlackEmulator();
  await emulator.start();
  await emulator.mention({
    channel: FIXTURE_WORKSPACE.channel.id,
    user: FIXTURE_WORKSPACE.human.id,
    text: "the graph",
    files: [{ id: FILE_ID, name: NAME, mimetype: "image/png", size: 0, content: BYTES }],
  });
  // Slack's file host as it behaves beyond the emulator: redirects, and a length over the cap.
  host = createServer((req, res) => {
    seenByHost.push({ path: req.url ?? "", headers: req.headers });
    if (req.url === "/files-pri/moved") {
      res.writeHead(302, { location: urlPrivate() }).end();
    } else if (req.url === "/files-pri/elsewhere") {
      res.writeHead(302, { location: "https://files.example.net/stolen" }).end();
    } else if (req.url === "/files-pri/loop") {
      res.writeHead(301, { location: "https://files.slack.com/files-pri/loop" }).end();
    } else if (req.url === "/files-pri/silent") {
      // Holds the request without an answer: the caller's signal must end the wait.
    } else if (req.url === "/files-pri/huge") {
      res.writeHead(200, {
        "content-type": "application/octet-stream",
        "content-length": "5000000",
      });
      res.write(Buffer.alloc(1024));
      // Never ends: a source that read the body to judge it would hang here.
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => host.listen(0, "127.0.0.1", resolve));
  hostUrl = `http://127.0.0.1:${(host.address() as AddressInfo).port}/api/`;
});

afterAll(async () => {
  host?.closeAllConnections();
  await new Promise<void>((resolve) => (host ? host.close(() => resolve()) : resolve()));
  await emulator?.stop();
});

describe("the Slack file source", () => {
  it("streams a user's file from its url_private with the bot token, byte for byte", async () => {
    const opening = await open();
    expect(opening).toMatchObject({ kind: "stream", size: BYTES.length, mimeType: "image/png" });
    expect(sha256(await bytesOf(opening))).toBe(sha256(BYTES));
  });

  it("takes Slack's sign-in page (a token without files:read) as unavailable, naming the scope", async () => {
    const opening = await open({ token: "xoxb-not-this-workspace" });
    expect(opening.kind).toBe("unavailable");
    expect(opening.kind === "unavailable" && opening.why).toContain("files:read");
  });

  it("refuses without a token for the workspace, and refuses a link that is not HTTPS", async () => {
    expect(await open({ token: undefined })).toMatchObject({ kind: "unavailable" });
    const plain = await open({ link: urlPrivate().replace("https:", "http:") });
    expect(plain).toEqual({
      kind: "unavailable",
      why: "refusing to fetch a file from http://files.slack.com",
    });
  });

  it("refuses a declared length over the cap without reading the body", async () => {
    const opening = await open({
      apiUrl: hostUrl,
      link: "https://files.slack.com/files-pri/huge",
      maxBytes: 1_000_000,
    });
    expect(opening).toEqual({ kind: "too-large", size: 5_000_000 });
  });

  it("gives up on a host that never answers when the caller's signal fires (the headers timeout)", async () => {
    const started = Date.now();
    await expect(
      open({
        apiUrl: hostUrl,
        link: "https://files.slack.com/files-pri/silent",
        signal: AbortSignal.timeout(300),
      }),
    ).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  it("follows Slack's redirects with the token, and never to another host", async () => {
    seenByHost.length = 0;
    const moved = await open({ apiUrl: hostUrl, link: "https://files.slack.com/files-pri/moved" });
    // The stand-in sends the second hop back to itself; that one is not the emulator: 404.
    expect(moved.kind).toBe("unavailable");
    expect(seenByHost.map((s) => [s.path, s.headers.authorization])).toEqual([
      ["/files-pri/moved", `Bearer ${FIXTURE_WORKSPACE.botToken}`],
      [new URL(urlPrivate()).pathname, `Bearer ${FIXTURE_WORKSPACE.botToken}`],
    ]);
    await expect(
      open({ apiUrl: hostUrl, link: "https://files.slack.com/files-pri/elsewhere" }),
    ).rejects.toThrow(/files\.example\.net/);
    expect(await open({ apiUrl: hostUrl, link: "https://files.slack.com/files-pri/loop" })).toEqual(
      { kind: "unavailable", why: "too many redirects" },
    );
  });
});
