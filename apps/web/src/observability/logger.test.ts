import { describe, expect, it } from "vitest";
import { chatLogger, createRootLogger, type LogLevel } from "./logger";
import { prettyLine } from "./pretty-lines";
import { inRequestScope } from "./request-scope";
import { createTelemetry } from "./telemetry";

/** What the user wrote and what the agent answered: never in a log line. */
const USER_TEXT = "Peux-tu relancer `pnpm test -- --fail-on=warn` ? Merci 🙏 https://example.com/x";
const AGENT_ANSWER = "## Done\n```sh\nnpx biome check --write .\n```";
const BOT_TOKEN = "xoxb-1234567890-abcdefghijklmnop";

function capture(level: LogLevel = "info") {
  const lines: string[] = [];
  const root = createRootLogger({
    level,
    format: "json",
    destination: { write: (line: string) => void lines.push(line) },
  });
  const parsed = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { lines, parsed, logger: chatLogger(root).child("baton") };
}

const LABELS = {
  botRequestId: "req_01HZX",
  thread: "slack:C0GENERAL:1733.0001",
  platform: "slack",
};

describe("the structured log lines", () => {
  it("carry level, event and the request's labels on every line of its life", () => {
    const { parsed, logger } = capture();
    inRequestScope({ ...LABELS, startedAt: 0 }, () => {
      logger.info("dispatched", { executionId: "exec_1" });
      logger.child("slack").warn("platform call needed retries", { attempts: 2 });
    });
    expect(parsed()).toEqual([
      expect.objectContaining({
        level: "info",
        event: "dispatched",
        executionId: "exec_1",
        ...LABELS,
      }),
      expect.objectContaining({
        level: "warn",
        event: "platform call needed retries",
        component: "baton:slack",
        ...LABELS,
      }),
    ]);
  });

  it("never carry message text or a secret, whoever logs them", () => {
    const { lines, logger } = capture("debug");
    inRequestScope({ ...LABELS, startedAt: 0 }, () => {
      logger.info("message received", { text: USER_TEXT, thread: { markdown: AGENT_ANSWER } });
      logger.debug("posting", { body: AGENT_ANSWER, token: BOT_TOKEN });
      logger.child("slack").warn("api call", { headers: { authorization: `Bearer ${BOT_TOKEN}` } });
    });
    expect(lines).toHaveLength(3);
    for (const line of lines) {
      expect(line).not.toContain("relancer");
      expect(line).not.toContain("biome");
      expect(line).not.toContain("xoxb-");
      expect(line).toContain("[redacted]");
    }
  });

  it("log a request's end once, at info, with its status and labels", async () => {
    const { parsed, logger } = capture();
    const telemetry = createTelemetry({ metrics: true, serviceName: "baton-test", logger });
    const request = { botRequestId: "req_2", threadId: "slack:C1:1733.0002", platform: "slack" };
    telemetry.core.dispatched(request, { kind: "dispatched" }, 12);
    telemetry.core.requestFinished(request, "completed");
    telemetry.core.requestFinished({ ...request, botRequestId: "req_3" }, "cancelled");
    expect(parsed()).toEqual([
      expect.objectContaining({
        level: "info",
        event: "request completed",
        botRequestId: "req_2",
        thread: request.threadId,
        platform: "slack",
        status: "completed",
      }),
      expect.objectContaining({ level: "info", event: "request cancelled", botRequestId: "req_3" }),
    ]);
    const text = (await telemetry.scrape()) ?? "";
    expect(text).toMatch(
      /^baton_requests_finished_total\{status="completed",platform="slack",otel_scope_name="baton"\} 1$/m,
    );
    expect(text).toMatch(
      /^baton_dispatches_total\{outcome="dispatched",code="none",otel_scope_name="baton"\} 1$/m,
    );
  });

  it("skip debug lines at info, and render readably for a terminal", () => {
    const { lines, logger } = capture("info");
    logger.debug("noisy detail", { botRequestId: "req_4" });
    expect(lines).toEqual([]);
    const line = JSON.stringify({
      level: "warn",
      time: "2026-12-03T13:04:05.678Z",
      event: "webhook refused",
      status: 401,
    });
    expect(prettyLine(line)).toBe("13:04:05  WARN webhook refused status=401");
  });
});
