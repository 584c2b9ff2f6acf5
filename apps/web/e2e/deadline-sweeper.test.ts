import { randomBytes } from "node:crypto";
import { type LocalStack, type SentryEvent, startLocalStack, waitUntil } from "@baton/stack";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mapPool } from "./support/bounded-pool";
import { seconds } from "./support/figures";
import { countReplies } from "./support/outcome-census";
import { sleep } from "./support/sleep";

const BACKENDS = ["redis", "sqlite"] as const;
const INSTANCES = 2;
/** Requests left without an answer, spread over both instances by the load balancer. */
const REQUESTS = 4;
const DEADLINE_MS = 2_000;
const SWEEP_INTERVAL_MS = 300;
/** A sweep runs every 300 ms on each instance: a due request is finalised well within this. */
const SWEPT_WITHIN_MS = 3_000;
/** Long enough for every instance to sweep several more times after the first notice. */
const SETTLE_MS = 5 * SWEEP_INTERVAL_MS;
const SWEEP_ROUTE = "/api/internal/sweep";

const isDeadlineNotice = (text: string) => text.includes("did not answer in time");

describe.each(BACKENDS)("the deadline sweeper end to end, two instances on %s", (backend) => {
  let stack: LocalStack;
  const sweepToken = randomBytes(24).toString("hex");

  beforeAll(async () => {
    stack = await startLocalStack({
      backend,
      instances: INSTANCES,
      sentry: true,
      env: {
        BATON_REQUEST_DEADLINE_MS: String(DEADLINE_MS),
        BATON_SWEEP_INTERVAL_MS: String(SWEEP_INTERVAL_MS),
        BATON_SWEEP_TOKEN: sweepToken,
      },
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("finalises a silent request `error`/`deadline`, tells the thread once, reports once", async () => {
    const mentions = await mapPool(
      Array.from({ length: REQUESTS }, (_, i) => i),
      REQUESTS,
      (i) => stack.mention(`a job that never ends ${i} [never]`),
    );
    const threads = mentions.map((m) => m.threadTs);
    const ids = await Promise.all(
      threads.map(async (threadTs) => (await stack.waitForDispatch(threadTs)).botRequestId),
    );
    const records = await Promise.all(
      ids.map((id) =>
        stack.waitForRecord(id, (r) => r.finalizedAt !== undefined, DEADLINE_MS + SWEPT_WITHIN_MS),
      ),
    );
    await sleep(SETTLE_MS);

    const sentry = stack.sentry;
    if (!sentry) throw new Error("the stack was started with sentry: true");
    const reportsOf = (id: string) =>
      sentry.events().filter((e: SentryEvent) => e.contexts?.baton?.botRequestId === id);
    await waitUntil(() => ids.every((id) => reportsOf(id).length > 0), {
      what: "a Sentry event for every request",
      timeoutMs: 10_000,
    });
    const notices = countReplies(stack, threads, (m) => isDeadlineNotice(m.text));
    const lateness = records.map((r) => (r.finalizedAt ?? 0) - r.deadlineAt);
    const events = ids.flatMap(reportsOf);
    console.log(
      `[${backend} sweeper] ${REQUESTS} silent requests over ${INSTANCES} instances, deadline ` +
        `${seconds(DEADLINE_MS)}, sweeps every ${SWEEP_INTERVAL_MS} ms: ` +
        `${records.filter((r) => r.status === "error" && r.error?.code === "deadline").length} error/deadline ` +
        `(finalised ${Math.min(...lateness)}-${Math.max(...lateness)} ms after the deadline); ` +
        `notices ${notices.replies}, duplicates ${notices.duplicates}, missing ${notices.missing}; ` +
        `Sentry events ${events.length} (reason ${[...new Set(events.map((e) => e.tags?.reason))].join(",")})`,
    );

    for (const record of records) {
      expect(record).toMatchObject({ status: "error", error: { code: "deadline" } });
      expect(record.finalizedAt).toBeGreaterThanOrEqual(record.deadlineAt);
    }
    expect(notices).toMatchObject({ replies: REQUESTS, duplicates: 0, missing: 0 });
    // Nothing but the notice reached the threads.
    expect(countReplies(stack, threads, () => true).duplicates).toBe(0);
    for (const id of ids) {
      expect(reportsOf(id)).toHaveLength(1);
      expect(reportsOf(id)[0]?.tags).toMatchObject({
        component: "sweeper",
        operation: "deadline",
        reason: "deadline",
        platform: "slack",
      });
      expect(await stack.messageState(id)).toEqual({ kind: "missing" });
    }
  });

  it("serves the sweep route only with the right bearer token", async () => {
    const call = async (url: string, authorization?: string) => {
      const response = await fetch(`${url}${SWEEP_ROUTE}`, {
        method: "POST",
        headers: authorization ? { authorization } : {},
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    const wrong = `Bearer ${randomBytes(24).toString("hex")}`;
    const answers = [];
    for (const server of stack.servers) {
      const none = await call(server.url);
      const bad = await call(server.url, wrong);
      const good = await call(server.url, `Bearer ${sweepToken}`);
      answers.push({ none, bad, good });
      expect(none).toEqual({ status: 401, body: { error: { code: "unauthorized" } } });
      expect(bad).toEqual({ status: 401, body: { error: { code: "unauthorized" } } });
      expect(good.status).toBe(200);
      // The instances sweep on their own too: the lock may be held, which is answered `busy`.
      expect(["swept", "busy"]).toContain(good.body.kind);
    }
    console.log(
      `[${backend} sweep route] per instance: ${answers
        .map(
          (a) =>
            `no token ${a.none.status}, wrong ${a.bad.status}, right ${a.good.status} (${String(a.good.body.kind)})`,
        )
        .join("; ")}`,
    );
  });
});
