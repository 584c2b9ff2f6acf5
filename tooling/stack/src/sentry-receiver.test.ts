import { gzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { type SentryReceiverHandle, startSentryReceiver } from "./sentry-receiver";
import { WaitTimeoutError } from "./wait-until";

const receivers: SentryReceiverHandle[] = [];
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((receiver) => receiver.stop()));
});

async function receiver(): Promise<SentryReceiverHandle> {
  const started = await startSentryReceiver();
  receivers.push(started);
  return started;
}

/** What the SDK sends: a header line, then items; an attachment declares its byte length. */
function envelope(event: Record<string, unknown>): string {
  const attachment = "line one\nline two é";
  return [
    JSON.stringify({ event_id: event.event_id, sent_at: new Date().toISOString() }),
    JSON.stringify({ type: "event" }),
    JSON.stringify(event),
    JSON.stringify({ type: "attachment", length: Buffer.byteLength(attachment) }),
    attachment,
  ].join("\n");
}

async function post(url: string, body: string | Buffer, headers: Record<string, string> = {}) {
  const response = await fetch(url, { method: "POST", body, headers });
  await response.text();
  return response.status;
}

describe("startSentryReceiver", () => {
  it("names a loopback DSN whose envelope endpoint it serves", async () => {
    const sentry = await receiver();
    expect(sentry.dsn).toMatch(
      new RegExp(`^http://[0-9a-f]{32}@127\\.0\\.0\\.1:${sentry.port}/1$`),
    );
    const event = { event_id: "a".repeat(32), tags: { reason: "plain" } };
    expect(await post(`${sentry.url}/api/1/envelope/?sentry_key=k`, envelope(event))).toBe(200);
    expect(sentry.events()).toEqual([event]);
    const items = sentry.envelopes()[0]?.items ?? [];
    expect(items.map((item) => item.header.type)).toEqual(["event", "attachment"]);
    expect(items[1]?.payload).toBe("line one\nline two é");
  });

  it("decodes gzip bodies, as the SDK sends large envelopes", async () => {
    const sentry = await receiver();
    const event = { event_id: "b".repeat(32), tags: { reason: "gzip" } };
    const body = gzipSync(envelope(event));
    expect(await post(`${sentry.url}/api/1/envelope/`, body, { "content-encoding": "gzip" })).toBe(
      200,
    );
    expect(sentry.events()).toEqual([event]);
    expect(sentry.rawBodies()[0]).toContain('"reason":"gzip"');
  });

  it("keeps the raw body of requests it refuses, so leak checks see everything", async () => {
    const sentry = await receiver();
    expect(await post(`${sentry.url}/api/2/envelope/`, "not for this project")).toBe(404);
    expect(sentry.rawBodies()).toEqual(["not for this project"]);
    expect(sentry.events()).toEqual([]);
  });

  it("waits for an event that arrives later, and times out with a typed error", async () => {
    const sentry = await receiver();
    const waiting = sentry.waitForEvent((event) => event.tags?.reason === "later", 5_000);
    await post(`${sentry.url}/api/1/envelope/`, envelope({ tags: { reason: "other" } }));
    await post(`${sentry.url}/api/1/envelope/`, envelope({ tags: { reason: "later" } }));
    expect((await waiting).tags).toEqual({ reason: "later" });
    await expect(sentry.waitForEvent(() => false, 200)).rejects.toBeInstanceOf(WaitTimeoutError);
  });
});
