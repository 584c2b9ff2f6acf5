import { createMemoryState } from "@chat-adapter/state-memory";
import type { StateAdapter } from "chat";
import { beforeEach, describe, expect, it } from "vitest";
import { botRequestKey, messageStateKey } from "../keys";
import { newBotRequest } from "../test-support/bot-request-fixtures";
import { createRequestStores, type RequestStores } from "./request-stores";
import { abandonResume, beginResume, finishResume } from "./resume-claim";

describe("resume session", () => {
  let state: StateAdapter;
  let deps: RequestStores;

  beforeEach(async () => {
    state = createMemoryState();
    await state.connect();
    deps = createRequestStores({ state });
  });

  async function pendingRequest(id: string) {
    const record = await deps.requests.create(newBotRequest({ id }));
    await state.set(messageStateKey(id), { v: 1, not: "validated here" });
    return record;
  }

  it("claims a pending request and hands over its record and message state", async () => {
    await pendingRequest("req-resume-1");
    const start = await beginResume(deps, "req-resume-1");
    expect(start.kind).toBe("claimed");
    if (start.kind !== "claimed") return;
    expect(start.record.id).toBe("req-resume-1");
    expect(start.messageState.kind).toBe("corrupt");
  });

  it("answers busy to a duplicate while the claim is held, already-final after", async () => {
    await pendingRequest("req-resume-2");
    const first = await beginResume(deps, "req-resume-2");
    expect(await beginResume(deps, "req-resume-2")).toEqual({ kind: "busy" });
    if (first.kind !== "claimed") throw new Error("expected a claim");

    const result = await finishResume(deps, first, { status: "completed" });
    expect(result.kind).toBe("finalized");
    expect(await state.get(messageStateKey("req-resume-2"))).toBeNull();

    const late = await beginResume(deps, "req-resume-2");
    expect(late).toMatchObject({ kind: "already-final", record: { status: "completed" } });
  });

  it("gives exactly one of many concurrent deliveries the claim", async () => {
    await pendingRequest("req-resume-3");
    const starts = await Promise.all(
      Array.from({ length: 20 }, () => beginResume(deps, "req-resume-3")),
    );
    expect(starts.filter((s) => s.kind === "claimed")).toHaveLength(1);
    expect(starts.filter((s) => s.kind === "busy")).toHaveLength(19);
  });

  it("lets a retry resume after a transient failure abandons the claim", async () => {
    await pendingRequest("req-resume-4");
    const first = await beginResume(deps, "req-resume-4");
    if (first.kind !== "claimed") throw new Error("expected a claim");
    await abandonResume(deps, first);
    expect((await beginResume(deps, "req-resume-4")).kind).toBe("claimed");
  });

  it("tells unknown and corrupt requests apart, releasing the claim", async () => {
    expect(await beginResume(deps, "req-never-1")).toEqual({ kind: "unknown" });
    await state.set(botRequestKey("req-corrupt-1"), { v: 1, id: 3 });
    const corrupt = await beginResume(deps, "req-corrupt-1");
    expect(corrupt.kind).toBe("corrupt-record");
    expect(await deps.requests.claim("req-corrupt-1")).not.toBeNull();
  });
});
