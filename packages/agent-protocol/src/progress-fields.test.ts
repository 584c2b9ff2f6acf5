import { describe, expect, it } from "vitest";
import { parseCallbackBody, serializeCallback } from "./callback";
import { ProtocolArgumentError } from "./errors";
import { MAX_PLAN_STEPS, MAX_TEXT_DELTA_BYTES } from "./limits";
import { body, progressCallback } from "./test-fixtures";

const plan = [
  { title: "Read the failing job's log (`--fail-on=warn`)", state: "done" as const },
  {
    title: "Bisect the lockfile — `pnpm install --frozen-lockfile`",
    state: "in_progress" as const,
  },
  { title: "Écrire la réponse", state: "pending" as const },
];

describe("progress callbacks: status line, plan and text delta", () => {
  it("still reads an old agent's progress that carries only a message", () => {
    const parsed = parseCallbackBody(body(progressCallback({ message: "Reading", step: 1 })));
    expect(parsed.ok && parsed.callback).toMatchObject({ message: "Reading", step: 1 });
  });

  it("reads a plan and a text delta, without a message", () => {
    const { message: _dropped, ...withoutMessage } = progressCallback({
      plan,
      textDelta: "## Why the build is red\n\n```sh\npnpm -r --filter ./apps/* build\n```\n",
    });
    const parsed = parseCallbackBody(JSON.stringify(withoutMessage));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok || parsed.callback.type !== "progress") throw new Error("unreachable");
    expect(parsed.callback.plan).toEqual(plan);
    expect(parsed.callback.message).toBeUndefined();
    expect(parsed.callback.textDelta).toContain("--filter");
  });

  it("reads a session URL alone", () => {
    const { message: _dropped, ...rest } = progressCallback();
    const url = "https://agent.example.com/sessions/42";
    const parsed = parseCallbackBody(JSON.stringify({ ...rest, sessionUrl: url }));
    expect(parsed.ok && parsed.callback.type === "progress" && parsed.callback.sessionUrl).toBe(
      url,
    );
  });

  it("refuses a progress that carries nothing to show", () => {
    const { message: _dropped, ...empty } = progressCallback();
    const parsed = parseCallbackBody(JSON.stringify(empty));
    expect(parsed.ok).toBe(false);
    expect(() => serializeCallback(empty)).toThrow(ProtocolArgumentError);
  });

  it("refuses unknown step states, empty or oversized plans, and oversized deltas", () => {
    const bad = [
      { plan: [{ title: "x", state: "finished" }] },
      { plan: [] },
      { plan: Array.from({ length: MAX_PLAN_STEPS + 1 }, () => ({ title: "x", state: "done" })) },
      { plan: [{ title: "", state: "done" }] },
      { textDelta: "" },
      { sessionUrl: "javascript:alert(1)" },
      { textDelta: "é".repeat(MAX_TEXT_DELTA_BYTES / 2 + 1) },
    ];
    for (const fields of bad) {
      const parsed = parseCallbackBody(JSON.stringify({ ...progressCallback(), ...fields }));
      expect(parsed.ok, JSON.stringify(fields).slice(0, 80)).toBe(false);
    }
  });
});
