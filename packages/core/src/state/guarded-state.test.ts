import { createMemoryState } from "@chat-adapter/state-memory";
import { describe, expect, it } from "vitest";
import { StateUnavailableError } from "../errors";
import { guardStateAdapter } from "./guarded-state";

describe("guardStateAdapter", () => {
  it("passes results through untouched", async () => {
    const state = guardStateAdapter(createMemoryState(), "memory");
    await state.connect();
    await state.set("k", { a: 1 });
    expect(await state.get("k")).toEqual({ a: 1 });
  });

  it("turns any backend failure into a typed STATE_UNAVAILABLE error naming backend and operation", async () => {
    const inner = createMemoryState();
    // Not connected: the memory adapter throws a plain Error on every call.
    const state = guardStateAdapter(inner, "memory");
    const error = await state.get("k").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StateUnavailableError);
    expect(error).toMatchObject({ code: "STATE_UNAVAILABLE", backend: "memory", operation: "get" });
    expect((error as Error).cause).toBeInstanceOf(Error);
  });
});
