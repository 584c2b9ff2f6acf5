import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createSlackEmulator, type SlackEmulator } from "../slack-emulator";
import { SLACK_RETRY_DELAYS_MS } from "./event-delivery";

// Slack's own retries, on a compressed schedule: what the bot's events URL receives when it
// fails, answers late, or answers 200 at some retry.

const RETRY_DELAYS_MS = [30, 80, 150] as const;
/** Far above the sink's answer time even on a loaded machine (150 ms was seen to pass). */
const DELIVERY_TIMEOUT_MS = 1_000;
/** Past the last retry's delay plus a delivery timeout: any further delivery would have come. */
const QUIET_MS = RETRY_DELAYS_MS.reduce((a, b) => a + b, 0) + DELIVERY_TIMEOUT_MS * 3;

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

let received: Received[] = [];
/** The answer to each successive request; the last one repeats. `hang`: never answered. */
let script: (number | "hang")[] = [200];
let sink: Server;
let emulator: SlackEmulator;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  sink = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const answer = script[Math.min(received.length, script.length - 1)] ?? 200;
      received.push({
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
        at: Date.now(),
      });
      if (answer === "hang") return;
      res.writeHead(answer).end(answer === 200 ? "ok" : "store unavailable");
    });
  });
  await new Promise<void>((resolve) => sink.listen(0, "127.0.0.1", resolve));
  const { port } = sink.address() as AddressInfo;
  emulator = createSlackEmulator({
    signingSecret: "retry-secret",
    botToken: "xoxb-retries",
    botUserId: "U0BOT",
    teamId: "T0TEAM",
    webhookUrl: `http://127.0.0.1:${port}/events`,
    deliveryTimeoutMs: DELIVERY_TIMEOUT_MS,
    retryDelaysMs: RETRY_DELAYS_MS,
  });
  await emulator.start();
});

beforeEach(() => {
  received = [];
  script = [200];
});

afterAll(async () => {
  await emulator.stop();
  sink.closeAllConnections();
  await new Promise<void>((resolve) => sink.close(() => resolve()));
});

const mention = (text: string, extra: { signingSecret?: string } = {}) =>
  emulator.mention({
    channel: "C0000000001",
    user: "U0000000001",
    text: `${text} — see https://grafana.example.com/d/p99?from=now-6h and \`kubectl top pods --sort-by=cpu\``,
    ...extra,
  });

const headersOf = (r: Received) => [
  r.headers["x-slack-retry-num"],
  r.headers["x-slack-retry-reason"],
];

describe("the emulator retries a delivery the way Slack does", () => {
  it("uses Slack's schedule by default: at once, after 1 minute, after 5 minutes", () => {
    expect(SLACK_RETRY_DELAYS_MS).toEqual([0, 60_000, 300_000]);
  });

  it("retries a delivery answered 503 until one is answered 200, then stops", async () => {
    script = [503, 503, 200];
    const first = await mention("retry until stored");
    expect(first.status).toBe(503);
    await sleep(QUIET_MS);
    expect(received.map(headersOf)).toEqual([
      [undefined, undefined],
      ["1", "http_error"],
      ["2", "http_error"],
    ]);
    expect(new Set(received.map((r) => r.body)).size).toBe(1);
    // Each retry waits its delay after the failure before it (a 503 comes back in ~1 ms).
    const gaps = received.slice(1).map((r, i) => r.at - (received[i]?.at ?? 0));
    expect(gaps[0]).toBeGreaterThanOrEqual(RETRY_DELAYS_MS[0] - 5);
    expect(gaps[1]).toBeGreaterThanOrEqual(RETRY_DELAYS_MS[1] - 5);
    const recorded = emulator.deliveries().filter((d) => d.eventId === first.eventId);
    expect(recorded.map((d) => [d.retryNum, d.status])).toEqual([
      [0, 503],
      [1, 503],
      [2, 200],
    ]);
  });

  it("gives up after the last retry of its schedule", async () => {
    script = [500];
    await mention("never stored");
    await sleep(QUIET_MS);
    expect(received.map(headersOf)).toEqual([
      [undefined, undefined],
      ["1", "http_error"],
      ["2", "http_error"],
      ["3", "http_error"],
    ]);
  });

  it("retries an unanswered delivery with reason http_timeout", async () => {
    script = ["hang", 200];
    const first = await mention("too slow");
    expect(first.status).toBeNull();
    await sleep(QUIET_MS);
    expect(received.map(headersOf)).toEqual([
      [undefined, undefined],
      ["1", "http_timeout"],
    ]);
  });

  it("does not retry a delivery answered 200, nor a forged one", async () => {
    script = [200];
    await mention("stored at once");
    script = [401];
    await mention("forged", { signingSecret: "not-slacks-secret" });
    await sleep(QUIET_MS);
    expect(received).toHaveLength(2);
    expect(received.map(headersOf)).toEqual([
      [undefined, undefined],
      [undefined, undefined],
    ]);
  });
});
