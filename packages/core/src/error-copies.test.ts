import { describe, expect, it } from "vitest";
import { StateUnavailableError, StateValueCorruptError } from "./errors";
import { PlatformCallError } from "./platform/platform-call-error";

/**
 * A class as another bundled copy of this module defines it: same shape and code, different
 * identity (Next builds core into the instrumentation hook and into the routes separately).
 */
function fromAnotherCopy(code: string, fields: Record<string, unknown>): Error {
  class CopiedError extends Error {}
  return Object.assign(new CopiedError("from another module copy"), { code, ...fields });
}

describe("errors thrown by another copy of core", () => {
  it("are recognised by their code, so a route still answers an unavailable store with 503", () => {
    const unavailable = fromAnotherCopy("STATE_UNAVAILABLE", {
      backend: "redis",
      operation: "get",
    });
    expect(unavailable instanceof StateUnavailableError).toBe(true);
    expect(unavailable instanceof StateValueCorruptError).toBe(false);

    const corrupt = fromAnotherCopy("STATE_VALUE_CORRUPT", { key: "k", operation: "get" });
    expect(corrupt instanceof StateValueCorruptError).toBe(true);
    expect(corrupt instanceof StateUnavailableError).toBe(false);

    expect(fromAnotherCopy("PLATFORM_CALL_FAILED", {}) instanceof PlatformCallError).toBe(true);
  });

  it("still tells other errors apart", () => {
    expect(new Error("boom") instanceof StateUnavailableError).toBe(false);
    expect({ code: "STATE_UNAVAILABLE" } instanceof StateUnavailableError).toBe(false);
    expect((null as unknown as object) instanceof StateUnavailableError).toBe(false);
    expect(new StateUnavailableError("sqlite", "set", new Error("busy"))).toBeInstanceOf(
      StateUnavailableError,
    );
  });
});
