import { randomBytes } from "node:crypto";
import {
  type Callback,
  createCallbackSigner,
  deriveRequestSecret,
  PROTOCOL_VERSION,
  serializeCallback,
} from "@baton/agent-protocol";
import { type LocalStack, type StackDispatch, startLocalStack, waitUntil } from "@baton/stack";
import { FIXTURE_WORKSPACE } from "@baton/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countBy } from "./support/figures";
import { type OtlpCollector, startOtlpCollector } from "./support/otlp-collector";
import { parsePrometheusText, type Sample, total } from "./support/prometheus-text";

const METRICS_TOKEN = `metrics-${randomBytes(24).toString("hex")}`;

/** Realistic requests: Markdown, a code block full of CLI flags, non-ASCII, a link. */
const ANSWERED = [
  "Can you check why CI fails?\n```sh\npnpm install --frozen-lockfile && pnpm test -- --fail-on=warn\n```",
  "Résumé du ticket « déploiement » : les clés 🔑 expirent, voir https://example.com/runbook#rotation",
  "## Plan\n1. bump `zod`\n2. run `npx biome check --write .`\n3. open a PR",
];

/**
 * Metrics and traces through the built app: a scripted run of mentions and callbacks (some
 * refused), then the Prometheus route is scraped and its counts compared with what the Slack
 * emulator, the agent and the store saw; and the spans exported over OTLP/HTTP to a loopback
 * collector hold one request's mention → dispatch → callback → post.
 */
describe("metrics and traces of a scripted run", () => {
  let stack: LocalStack;
  let collector: OtlpCollector;
  const requests: { threadTs: string; dispatch: StackDispatch }[] = [];
  let never: StackDispatch;

  beforeAll(async () => {
    collector = await startOtlpCollector();
    stack = await startLocalStack({
      backend: "sqlite",
      env: { BATON_METRICS_TOKEN: METRICS_TOKEN, OTEL_EXPORTER_OTLP_ENDPOINT: collector.url },
    });
    for (const text of [...ANSWERED, "This one fails on purpose [fail]"]) {
      const { threadTs } = await stack.mention(text);
      requests.push({ threadTs, dispatch: await stack.waitForDispatch(threadTs) });
    }
    const idle = await stack.mention("Nobody answers this one [never]");
    never = await stack.waitForDispatch(idle.threadTs);
    for (const { dispatch } of requests) {
      await stack.waitForRecord(dispatch.botRequestId, (r) => r.finalizedAt !== undefined);
    }
  }, 240_000);
  afterAll(async () => {
    await stack?.stop();
    await collector?.close();
  });

  async function scrape(token = METRICS_TOKEN): Promise<{ status: number; text: string }> {
    const response = await fetch(`${stack.server.url}/api/internal/metrics`, {
      headers: { authorization: `Bearer ${token}` },
    });
    return { status: response.status, text: await response.text() };
  }

  /** A completed callback for `botRequestId`, signed with `signingSecret`. */
  async function sendCallback(botRequestId: string, signingSecret: string) {
    const callback: Callback = {
      protocolVersion: PROTOCOL_VERSION,
      type: "completed",
      botRequestId,
      agentSessionId: "sess_forged",
      executionId: "exec_forged",
      sequence: 1,
      sentAt: new Date().toISOString(),
      text: "A forged answer that must never be posted.",
    };
    const body = serializeCallback(callback);
    const headers = createCallbackSigner({ signingSecret, now: Date.now }).sign(
      `msg_${randomBytes(6).toString("hex")}`,
      body,
    );
    const response = await fetch(
      `${stack.server.url}/api/internal/bot-session-callback/${botRequestId}`,
      {
        method: "POST",
        headers: { ...headers, "content-type": "application/json" },
        body,
      },
    );
    return {
      status: response.status,
      body: (await response.json()) as { error?: { code?: string } },
    };
  }

  it("counts mentions, callbacks by outcome and code, dispatches and finished requests", async () => {
    // Refused traffic: a forged Slack event, a forged callback, a callback for an unknown id.
    const forged = await stack.slack.mention({
      channel: stack.channel,
      user: FIXTURE_WORKSPACE.human.id,
      text: "forged mention",
      signingSecret: "not-the-signing-secret",
    });
    expect(forged.status).toBe(401);
    const forgedSecret = `whsec_${randomBytes(32).toString("base64")}`;
    expect(await sendCallback(never.botRequestId, forgedSecret)).toEqual({
      status: 401,
      body: { error: { code: "bad_signature" } },
    });
    const unknownId = `req-unknown-${randomBytes(4).toString("hex")}`;
    const serverSecret = stack.env.BATON_CALLBACK_SECRETS as string;
    expect(await sendCallback(unknownId, deriveRequestSecret(serverSecret, unknownId))).toEqual({
      status: 410,
      body: { error: { code: "request_gone" } },
    });
    expect((await scrape("not-the-token")).status).toBe(401);

    const attempts = await waitUntil(
      () => {
        const all = stack.callbackAttempts();
        return all.every((a) => a.status !== undefined) ? all : undefined;
      },
      { what: "every agent callback answered" },
    );
    const scraped = await scrape();
    expect(scraped.status).toBe(200);
    const samples = parsePrometheusText(scraped.text);
    const deliveries = stack.slack.deliveries();
    const records = await Promise.all(requests.map((r) => stack.record(r.dispatch.botRequestId)));
    const finalStatuses = countBy(records, (r) => r?.status ?? "missing");

    const counted = (name: string, labels: Record<string, string> = {}) =>
      total(samples, name, labels);
    expect({
      received: counted("baton_webhooks_received_total", { platform: "slack" }),
      acknowledged: counted("baton_webhooks_acknowledged_total", { platform: "slack" }),
      badSignature: counted("baton_webhooks_refused_total", { reason: "bad_signature" }),
      acks: counted("baton_webhook_ack_duration_ms_count"),
      dispatched: counted("baton_dispatches_total", { outcome: "dispatched" }),
      dispatchFailed: counted("baton_dispatches_total", { outcome: "dispatch-failed" }),
      completed: counted("baton_requests_finished_total", { status: "completed" }),
      failed: counted("baton_requests_finished_total", { status: "error" }),
    }).toEqual({
      received: deliveries.length,
      acknowledged: deliveries.filter((d) => d.status === 200).length,
      badSignature: deliveries.filter((d) => d.status === 401).length,
      acks: deliveries.filter((d) => d.status === 200).length,
      dispatched: requests.length + 1,
      dispatchFailed: 0,
      completed: finalStatuses.completed ?? 0,
      failed: finalStatuses.error ?? 0,
    });
    expect(finalStatuses).toEqual({ completed: ANSWERED.length, error: 1 });

    // Callbacks by HTTP status: the agent's attempts plus the two forged ones.
    const byCode = countBy(attempts, (a) => String(a.status));
    byCode["401"] = (byCode["401"] ?? 0) + 1;
    byCode["410"] = (byCode["410"] ?? 0) + 1;
    expect(callbackCodes(samples)).toEqual(byCode);
    expect(counted("baton_callbacks_total", { outcome: "bad_signature", code: "401" })).toBe(1);
    expect(counted("baton_callbacks_total", { outcome: "request_gone", code: "410" })).toBe(1);
    // Every answered request's reply was posted by its terminal callback, and timed.
    const posted = counted("baton_callbacks_total", { outcome: "posted" });
    expect(posted).toBe(requests.length);
    expect(counted("baton_callback_to_posted_duration_ms_count")).toBe(posted);
    expect(counted("baton_store_call_duration_ms_count", { operation: "get" })).toBeGreaterThan(0);
    // Requests by state, read from the store: only the one nobody answers is still running.
    expect({
      pending: counted("baton_requests", { state: "pending" }),
      running: counted("baton_requests", { state: "running" }),
      queued: counted("baton_requests", { state: "queued" }),
    }).toEqual({ pending: 0, running: 1, queued: 0 });

    // Each request's end is logged once, at info, with its labels.
    const output = stack.server.output();
    for (const { dispatch } of requests) {
      const lines = output
        .split("\n")
        .filter(
          (line) =>
            line.includes(dispatch.botRequestId) &&
            /"event":"request (completed|failed)"/.test(line),
        );
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0] as string)).toMatchObject({
        level: "info",
        botRequestId: dispatch.botRequestId,
        platform: "slack",
      });
    }
  });

  it("exports one request's mention → dispatch → callback → post spans over OTLP", async () => {
    const { botRequestId } = (requests[0] as { dispatch: StackDispatch }).dispatch;
    const ofRequest = () =>
      collector.spans().filter((s) => s.attributes["baton.bot_request_id"] === botRequestId);
    const spans = await waitUntil(
      () => {
        const found = ofRequest();
        const names = new Set(found.map((s) => s.name));
        return ["mention", "dispatch", "callback", "post"].every((n) => names.has(n))
          ? found
          : undefined;
      },
      { what: `the spans of ${botRequestId} at the collector`, timeoutMs: 20_000 },
    );
    const one = (name: string) => spans.filter((s) => s.name === name);
    const mention = one("mention")[0];
    const dispatch = one("dispatch")[0];
    const post = one("post")[0];
    expect(one("mention")).toHaveLength(1);
    expect(one("dispatch")).toHaveLength(1);
    expect(one("post")).toHaveLength(1);
    // One trace for the whole request, across two HTTP requests minutes apart in real life.
    expect(new Set(spans.map((s) => s.traceId)).size).toBe(1);
    expect(dispatch?.parentSpanId).toBe(mention?.spanId);
    const postedBy = one("callback").find((s) => s.spanId === post?.parentSpanId);
    expect(postedBy?.attributes["baton.outcome"]).toBe("posted");
    expect(mention?.attributes["baton.platform"]).toBe("slack");
    expect((dispatch?.startMs ?? 0) >= (mention?.startMs ?? Infinity)).toBe(true);
    expect((postedBy?.startMs ?? 0) >= (dispatch?.endMs ?? Infinity)).toBe(true);
    // Nothing of another request leaks into this trace.
    const trace = spans[0]?.traceId;
    expect(
      collector
        .spans()
        .filter((s) => s.traceId === trace)
        .every((s) => s.attributes["baton.bot_request_id"] === botRequestId),
    ).toBe(true);
  });
});

/** The route's callback counts by HTTP status. */
function callbackCodes(samples: Sample[]): Record<string, number> {
  const codes: Record<string, number> = {};
  for (const s of samples.filter((x) => x.name === "baton_callbacks_total")) {
    const code = s.labels.code ?? "none";
    codes[code] = (codes[code] ?? 0) + s.value;
  }
  return codes;
}
