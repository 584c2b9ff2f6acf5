import { createHash, randomBytes } from "node:crypto";
import { deriveRequestSecret, fileAccessHeader } from "@baton/agent-protocol";
import { MAX_SERVED_FILE_BYTES } from "@baton/core";
import { type LocalStack, startLocalStack, waitUntil } from "@baton/stack";
import { FIXTURE_WORKSPACE } from "@baton/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitForAnswers } from "./support/conversation-thread";

// Files streamed from Slack to the agent, over real HTTP: the built Next app, the Slack emulator
// hosting the bytes (with its test-only serving knobs for a host that misbehaves), the reference
// agent and, where the test plays the agent, its own download through Baton's URL. Every way the
// platform's body can go wrong must fail the download, never hand over a shorter file.

/** A file a user shares in the emulated workspace. */
type EmulatorFile = NonNullable<Parameters<LocalStack["slack"]["mention"]>[0]["files"]>[number];

const AGENT_DEMO = { delayMs: 200, progressSteps: 0, slowDelayMs: 3_000 };
/** Short, so a stalled host is given up on within the test; the default is 15 s. */
const IDLE_TIMEOUT_MS = 1_500;
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/** Reads a download to its end, or to the error that cut it. */
async function drain(response: Response) {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const parts: Uint8Array[] = [];
  let received = 0;
  try {
    for (let next = await reader.read(); !next.done; next = await reader.read()) {
      parts.push(next.value);
      received += next.value.byteLength;
    }
    return { kind: "complete" as const, bytes: Buffer.concat(parts), received };
  } catch (error) {
    return { kind: "cut" as const, error, received };
  }
}

describe("files streamed from Slack to the agent", () => {
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startLocalStack({
      backend: "sqlite",
      agent: { demo: AGENT_DEMO },
      env: { BATON_FILE_STREAM_IDLE_TIMEOUT_MS: String(IDLE_TIMEOUT_MS) },
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  /** A request holding the files whose agent never reads them: the test downloads as the agent. */
  async function heldRequestWith(file: EmulatorFile) {
    const delivery = await stack.slack.mention({
      channel: stack.channel,
      user: FIXTURE_WORKSPACE.human.id,
      text: `[never] have a look at ${file.name}`,
      files: [file],
    });
    if (delivery.status !== 200 || !delivery.ts) throw new Error(`webhook ${delivery.status}`);
    const dispatch = await stack.waitForDispatch(delivery.ts);
    const listed = dispatch.request?.files?.[0];
    if (!listed) throw new Error("the dispatch listed no file");
    const secret = stack.env.BATON_CALLBACK_SECRETS as string;
    const authorization = fileAccessHeader(
      deriveRequestSecret(secret, dispatch.botRequestId),
      dispatch.botRequestId,
    );
    return { url: listed.url, listed, authorization };
  }

  it("a 20 MiB file with a non-ASCII name reaches the agent byte-identical, streamed", async () => {
    const bytes = randomBytes(MAX_SERVED_FILE_BYTES);
    const name = 'Lasttest März — Größe ✓ 日本語 "q".bin';
    const file: EmulatorFile = {
      id: "F0STREAM20",
      name,
      mimetype: "application/octet-stream",
      size: 0,
      content: bytes,
    };
    // The reference agent reads it through Baton and reports its length and hash.
    const delivery = await stack.slack.mention({
      channel: stack.channel,
      user: FIXTURE_WORKSPACE.human.id,
      text: "here is the load-test capture — what is in it?",
      files: [file],
    });
    const [answer] = await waitForAnswers(stack, String(delivery.ts), 1, 60_000);
    expect(answer?.text).toContain(
      `read ${bytes.length} bytes, sha256 ${sha256(bytes).slice(0, 16)}`,
    );

    // The same bytes downloaded as the agent does, with the headers the route sends.
    const held = await heldRequestWith({ ...file, id: "F0STREAM21" });
    expect(held.listed.name).toBe(name);
    const response = await fetch(held.url, { headers: { authorization: held.authorization } });
    expect(response.status).toBe(200);
    const disposition = response.headers.get("content-disposition") ?? "";
    const encoded = /filename\*=UTF-8''(.+)$/.exec(disposition)?.[1] ?? "";
    expect(decodeURIComponent(encoded)).toBe(name);
    expect(disposition).toMatch(/^attachment; filename="[\x20-\x7e]+"; /);
    const read = await drain(response);
    expect(read.kind).toBe("complete");
    expect(read.kind === "complete" && sha256(read.bytes)).toBe(sha256(bytes));
  });

  it("a body without Content-Length that grows past the cap is cut: the download fails", async () => {
    const held = await heldRequestWith({
      id: "F0GROWN001",
      name: "heap-dump.bin",
      mimetype: "application/octet-stream",
      size: 0,
      content: randomBytes(MAX_SERVED_FILE_BYTES + 512 * 1024),
      // Shared as 1 MB, served chunked at 20.5 MiB: only the byte counter can catch it.
      testServing: { reportedSize: 1_000_000, omitContentLength: true },
    });
    expect(held.listed.size).toBe(1_000_000);
    const response = await fetch(held.url, { headers: { authorization: held.authorization } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-length")).toBeNull();
    const read = await drain(response);
    expect(read.kind).toBe("cut");
    expect(read.received).toBeLessThanOrEqual(MAX_SERVED_FILE_BYTES);
  });

  it("a Content-Length over the cap is refused with 413 before any byte is streamed", async () => {
    const held = await heldRequestWith({
      id: "F0GROWN002",
      name: "core-dump.bin",
      mimetype: "application/octet-stream",
      size: MAX_SERVED_FILE_BYTES + 1_024,
      testServing: { reportedSize: 1_000_000 },
    });
    const response = await fetch(held.url, { headers: { authorization: held.authorization } });
    expect([response.status, await response.json()]).toEqual([
      413,
      { error: { code: "file_too_large" } },
    ]);
  });

  it("a host that stalls mid-body is given up on: the download fails, it does not hang", async () => {
    const held = await heldRequestWith({
      id: "F0STALL001",
      name: "trace-export.json",
      mimetype: "application/json",
      size: 4 * 1024 * 1024,
      testServing: { stallAfterBytes: 1024 * 1024 },
    });
    const response = await fetch(held.url, {
      headers: { authorization: held.authorization },
      // Ours is far longer than Baton's idle timeout: the cut must come from Baton.
      signal: AbortSignal.timeout(20 * IDLE_TIMEOUT_MS),
    });
    expect(response.status).toBe(200);
    const read = await drain(response);
    expect(read.kind).toBe("cut");
    expect(read.kind === "cut" && (read.error as Error).name).not.toBe("TimeoutError");
    expect(read.received).toBeLessThan(4 * 1024 * 1024);
    // The server logged why, with the request and the code (never the token).
    await waitUntil(() => stack.server.output().includes("file_stream_stalled") || undefined, {
      what: "the stalled stream logged",
      timeoutMs: 5_000,
    });
  });
});

// With OAuth installs the app has no token of its own for a second workspace: a file shared there
// is fetched with that workspace's installed token (the emulator serves a workspace's files to
// its own bot token only, as Slack does).
describe("files streamed from a second workspace installed through OAuth", () => {
  const SECOND = {
    teamId: "T0ZWEITE2",
    teamName: "Zweite Firma",
    botUserId: "U0BOTZWEI2",
    channel: { id: "C0ZWEITE02", name: "général" },
    human: { id: "U0JOSE0002", name: "josé", realName: "José Müller-Ørsted" },
  };
  const OAUTH = {
    clientId: "4242424242.2727272727",
    clientSecret: randomBytes(16).toString("hex"),
  };
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startLocalStack({
      backend: "sqlite",
      agent: { demo: AGENT_DEMO },
      slack: {
        workspaces: [{ ...SECOND, users: [SECOND.human], channels: [SECOND.channel] }],
        oauth: OAUTH,
      },
      env: {
        SLACK_CLIENT_ID: OAUTH.clientId,
        SLACK_CLIENT_SECRET: OAUTH.clientSecret,
        BATON_INSTALL_ENCRYPTION_KEY: randomBytes(32).toString("hex"),
      },
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("reads a file shared in the second workspace with that workspace's token", async () => {
    // Install: Baton's install page, Slack's authorize page, back to Baton's callback.
    const start = await fetch(`${stack.publicUrl}/api/slack/install`, { redirect: "manual" });
    const cookie = (start.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    const authorize = new URL(start.headers.get("location") ?? "");
    authorize.searchParams.set("team", SECOND.teamId);
    const allowed = await fetch(authorize, { redirect: "manual" });
    const installed = await fetch(allowed.headers.get("location") ?? "", {
      headers: { cookie },
      redirect: "manual",
    });
    expect(installed.status).toBe(200);

    const bytes = randomBytes(3 * 1024 * 1024);
    const second = stack.slack.workspace(SECOND.teamId);
    const delivery = await second.mention({
      channel: SECOND.channel.id,
      user: SECOND.human.id,
      text: `<@${SECOND.botUserId}> die Messung — was fällt auf?`,
      files: [
        {
          id: "F0ZWEITE01",
          name: "Messung März.bin",
          mimetype: "application/octet-stream",
          size: 0,
          content: bytes,
        },
      ],
    });
    expect(delivery.status).toBe(200);
    const answer = await waitUntil(
      () =>
        second
          .repliesIn(SECOND.channel.id, String(delivery.ts))
          .find((m) => m.isBot && m.text.includes("Baton demo agent")),
      { what: "the answer in the second workspace", timeoutMs: 30_000 },
    );
    expect(answer.text).toContain(
      `read ${bytes.length} bytes, sha256 ${sha256(bytes).slice(0, 16)}`,
    );
  });
});
