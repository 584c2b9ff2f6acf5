import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { guardStateAdapter } from "@baton/core";
import { createSqliteState } from "@baton/state-sqlite";
import { afterEach, describe, expect, it } from "vitest";
import { chatLogger, createRootLogger } from "./logger";
import { createTelemetry } from "./telemetry";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function setup(metrics = true) {
  const lines: Record<string, unknown>[] = [];
  const root = createRootLogger({
    level: "info",
    format: "json",
    destination: { write: (line: string) => void lines.push(JSON.parse(line)) },
  });
  const logger = chatLogger(root).child("baton");
  return {
    lines,
    logger,
    telemetry: createTelemetry({ metrics, serviceName: "baton-test", logger }),
  };
}

/** The value of one sample line, by name and the start of its labels. */
function sample(text: string, name: string, labels: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${name}{${labels}`));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(" ") + 1));
}

describe("telemetry at the composition root", () => {
  it("times every store call of a real SQLite store and counts the failures by code", async () => {
    const { telemetry } = setup();
    const dir = mkdtempSync(join(tmpdir(), "baton-telemetry-"));
    dirs.push(dir);
    const state = telemetry.measuredState(
      guardStateAdapter(createSqliteState({ path: join(dir, "state.sqlite") }), "sqlite"),
    );
    await state.connect();
    await state.set("bot-request:req_1", { v: 1, text: "Résumé « déploiement » 🔑" }, 60_000);
    await state.get("bot-request:req_1");
    await state.get("bot-request:req_2");
    await state.disconnect();
    await expect(state.get("bot-request:req_1")).rejects.toMatchObject({
      code: "STATE_UNAVAILABLE",
    });
    const text = (await telemetry.scrape()) ?? "";
    expect(sample(text, "baton_store_call_duration_ms_count", 'operation="get"')).toBe(3);
    expect(sample(text, "baton_store_call_duration_ms_count", 'operation="set"')).toBe(1);
    expect(
      sample(text, "baton_store_call_errors_total", 'operation="get",code="STATE_UNAVAILABLE"'),
    ).toBe(1);
  });

  it("counts platform retries from core's attempt lines, sweeps, and refused webhooks", async () => {
    const { telemetry, lines } = setup();
    const coreLogger = telemetry.watchedLogger(setup().logger);
    coreLogger.info("platform call needed retries", { operation: "post", attempts: 3 });
    coreLogger.child("x").warn("platform call failed", { operation: "edit", attempts: 2 });
    coreLogger.info("platform call needed retries", { operation: "post", attempts: 1 });
    telemetry.swept({ expired: 2, failed: 1 });
    await telemetry.observeWebhook(
      "slack",
      async () => new Response("Invalid signature", { status: 401 }),
    );
    await telemetry.observeWebhook("slack", async () => new Response("ok"));
    const text = (await telemetry.scrape()) ?? "";
    expect(sample(text, "baton_platform_call_retries_total", 'operation="post"')).toBe(2);
    expect(sample(text, "baton_platform_call_retries_total", 'operation="edit"')).toBe(1);
    expect(sample(text, "baton_sweeper_finalisations_total", 'outcome="expired"')).toBe(2);
    expect(sample(text, "baton_sweeper_finalisations_total", 'outcome="failed"')).toBe(1);
    expect(sample(text, "baton_webhooks_received_total", 'platform="slack"')).toBe(2);
    expect(
      sample(text, "baton_webhooks_refused_total", 'platform="slack",reason="bad_signature"'),
    ).toBe(1);
    expect(sample(text, "baton_webhook_ack_duration_ms_count", 'platform="slack"')).toBe(1);
    expect(lines).toEqual([
      expect.objectContaining({
        level: "warn",
        event: "webhook refused",
        status: 401,
        platform: "slack",
      }),
    ]);
  });

  it("off, keeps nothing and wraps nothing", async () => {
    const { telemetry, lines } = setup(false);
    const dir = mkdtempSync(join(tmpdir(), "baton-telemetry-"));
    dirs.push(dir);
    const state = createSqliteState({ path: join(dir, "state.sqlite") });
    expect(telemetry.measuredState(state)).toBe(state);
    await telemetry.observeWebhook("slack", async () => new Response("nope", { status: 401 }));
    expect(await telemetry.scrape()).toBeUndefined();
    // The refusal is still logged: logs do not depend on metrics.
    expect(lines).toHaveLength(1);
  });
});
