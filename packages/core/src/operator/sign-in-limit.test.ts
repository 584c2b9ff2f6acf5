import { createMemoryState } from "@chat-adapter/state-memory";
import type { StateAdapter } from "chat";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { OPERATOR_SIGN_IN_MAX_ATTEMPTS, OPERATOR_SIGN_IN_WINDOW_MS } from "../keys";
import { createSignInLimit } from "./sign-in-limit";

describe("operator sign-in limit", () => {
  let state: StateAdapter;
  let clock: number;
  beforeEach(async () => {
    state = createMemoryState();
    await state.connect();
    // Mid-window, so the window's end is in sight.
    clock = 1_800_000_000_000 + OPERATOR_SIGN_IN_WINDOW_MS / 4;
  });
  afterEach(async () => {
    await state.disconnect();
  });

  it("allows the window's attempts, refuses the next until the window ends, then allows again", async () => {
    const limit = createSignInLimit({ state, now: () => clock });
    for (let i = 0; i < OPERATOR_SIGN_IN_MAX_ATTEMPTS; i++) {
      expect(await limit.admit()).toEqual({ kind: "allowed" });
    }
    const refused = await limit.admit();
    expect(refused).toEqual({
      kind: "limited",
      retryAfterMs: (OPERATOR_SIGN_IN_WINDOW_MS * 3) / 4,
    });
    clock += OPERATOR_SIGN_IN_WINDOW_MS / 2;
    expect((await limit.admit()).kind).toBe("limited");
    clock += OPERATOR_SIGN_IN_WINDOW_MS / 2;
    expect(await limit.admit()).toEqual({ kind: "allowed" });
  });

  it("lets no more than the limit through when attempts arrive at once, from several instances", async () => {
    const instances = [1, 2, 3].map(() => createSignInLimit({ state, now: () => clock }));
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) => instances[i % instances.length]?.admit()),
    );
    // At most the limit (a flood may leave fewer: each counts all appended before its read).
    const allowed = answers.filter((a) => a?.kind === "allowed").length;
    expect(allowed).toBeLessThanOrEqual(OPERATOR_SIGN_IN_MAX_ATTEMPTS);
    expect(answers.filter((a) => a?.kind === "limited")).toHaveLength(40 - allowed);
  });
});
