import { STATUS_RECHECK_DELAY_MS } from "@baton/core";
import { type LocalStack, openBackendInspector, startLocalStack, waitUntil } from "@baton/stack";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dispatchesByThread } from "./support/dispatches";
import { countBy, seconds } from "./support/figures";
import { countReplies, formatCounts, tallyRecords } from "./support/outcome-census";
import { seededRandom } from "./support/seeded-random";
import { mentionWithRetries, type WebhookAnswer } from "./support/slack-retries";
import { sleep } from "./support/sleep";
import { waitForStoredRequest } from "./support/stored-request";

const BACKENDS = ["redis", "sqlite"] as const;
const INSTANCES = 2;
const REQUESTS = 100;
const ARRIVAL_INTERVAL_MS = 60;
/** Which instance dies, and when (between these bounds after the first mention): seeded. */
const SEED = 0xba7011;
const KILL_WINDOW_MS = [1_000, 5_000] as const;
/** The agent works this long (one progress callback on the way), then calls back on its own. */
const AGENT_DELAY_MS = 1_200;
/**
 * Slack's Web API answers a post in a few hundred milliseconds, not at once: an instance is
 * always in the middle of posting something when it dies.
 */
const SLACK_POST_LATENCY_MS = 150;
/** Requests a crash left without an agent are finalised by the sweeper at this deadline. */
const DEADLINE_MS = 15_000;
const SWEEP_INTERVAL_MS = 500;
/** The agent's own retries: a usual budget of 8 attempts, backing off from 0.5 s (or Retry-After). */
const AGENT_RETRY = {
  maxAttempts: 8,
  baseDelayMs: 500,
  maxDelayMs: 2_000,
  attemptTimeoutMs: 5_000,
};
const MAX_MENTION_RETRY_MS = 60_000;
/**
 * Every request ends by then: its deadline (15 s), a claim left by the dead instance expiring
 * (10 s), a sweep re-filed behind a busy claim (30 s), and slack for a loaded machine.
 */
const ALL_TERMINAL_WITHIN_MS = 90_000;
const TERMINAL_POLL_MS = 500;
/** A leftover is given the sweeper's second look (filed STATUS_RECHECK_DELAY_MS after the end). */
const SECOND_LOOK_WITHIN_MS = STATUS_RECHECK_DELAY_MS + 15_000;
const TEST_TIMEOUT_MS = ALL_TERMINAL_WITHIN_MS + SECOND_LOOK_WITHIN_MS + 60_000;

const isAnswer = (text: string) => text.includes("Baton demo agent");
const isDeadlineNotice = (text: string) => text.includes("did not answer in time");
type EmulatorMessage = ReturnType<LocalStack["replies"]>[number];

/** A status message (post-and-edit) or a native stream (its plan), live or left behind. */
const isProgress = (m: EmulatorMessage) =>
  m.text.includes("Working") || m.streaming || m.plan !== undefined;

describe.each(BACKENDS)("an instance killed with SIGKILL mid-run, on %s", (backend) => {
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startLocalStack({
      backend,
      instances: INSTANCES,
      redisAppendOnly: true,
      agent: {
        demo: { delayMs: AGENT_DELAY_MS, progressSteps: 1 },
        retry: AGENT_RETRY,
        maxRecords: 10_000,
      },
      env: {
        BATON_REQUEST_DEADLINE_MS: String(DEADLINE_MS),
        BATON_SWEEP_INTERVAL_MS: String(SWEEP_INTERVAL_MS),
      },
    });
    // A stream's start too: an instance killed while Slack starts it leaves a stream unrecorded.
    for (const method of ["chat.postMessage", "chat.startStream"]) {
      stack.slack.injectFault(method, {
        delayMs: SLACK_POST_LATENCY_MS,
        times: Number.POSITIVE_INFINITY,
      });
    }
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it(
    `${REQUESTS} requests, the agent calling back on its own: each terminal, at most one reply`,
    async () => {
      const random = seededRandom(SEED);
      const killAfterMs = Math.round(
        KILL_WINDOW_MS[0] + random() * (KILL_WINDOW_MS[1] - KILL_WINDOW_MS[0]),
      );
      const victim = Math.floor(random() * INSTANCES);
      const webhooks: WebhookAnswer[] = [];
      const started = Date.now();
      const crash = { at: 0, back: 0, inFlightCallbacks: 0 };

      async function crashAndRestart() {
        await sleep(killAfterMs);
        const server = stack.servers[victim];
        if (!server) throw new Error(`no instance ${victim}`);
        crash.at = Date.now();
        crash.inFlightCallbacks = stack
          .callbackAttempts()
          .filter((a) => a.status === undefined && !a.error).length;
        await server.kill("SIGKILL");
        // The load balancer's health check takes the dead instance out until it answers again
        // (a restarting Next server accepts connections well before it serves them).
        const all = stack.servers.map((s) => s.url);
        stack.proxy?.setTargets(all.filter((url) => url !== server.url));
        await server.restart();
        stack.proxy?.setTargets(all);
        crash.back = Date.now();
      }

      const [mentions] = await Promise.all([
        Promise.all(
          Array.from({ length: REQUESTS }, async (_, i) => {
            await sleep(i * ARRIVAL_INTERVAL_MS);
            return mentionWithRetries(stack, `crash request ${i}`, {
              log: webhooks,
              maxTotalMs: MAX_MENTION_RETRY_MS,
            });
          }),
        ),
        crashAndRestart(),
      ]);
      expect(mentions.filter((m) => m.final.status !== 200)).toEqual([]);
      const threads = mentions.map((m) => m.threadTs);

      // Every request ends: completed by the agent's callback, or error by the sweeper.
      // Acknowledged means recorded: a mention whose instance was killed right after the answer
      // is stored by the survivor's inbox drain.
      const ids = await Promise.all(
        threads.map((ts) => waitForStoredRequest(stack, ts).catch(() => undefined)),
      );
      expect(ids.filter((id) => id === undefined)).toEqual([]);
      const requestIds = ids as string[];
      let tally = await tallyRecords(stack, requestIds);
      while (tally.pending.length > 0 && Date.now() - started < ALL_TERMINAL_WITHIN_MS) {
        await sleep(TERMINAL_POLL_MS);
        tally = await tallyRecords(stack, requestIds);
      }
      const endedMs = Date.now() - started;

      const answers = countReplies(stack, threads, (m) => isAnswer(m.text));
      const notices = countReplies(stack, threads, (m) => isDeadlineNotice(m.text));
      const replies = countReplies(stack, threads, (m) => !isProgress(m));
      const leftovers = countReplies(stack, threads, (m) => isProgress(m));
      const dispatches = dispatchesByThread(stack);
      const redispatched = threads.filter((t) => (dispatches.get(t)?.length ?? 0) > 1).length;
      // A refused delivery names its status and code (e.g. `rejected 409 replayed`).
      const deliveries = countBy(stack.agent.deliveries(), (d) =>
        d.outcome.kind === "rejected"
          ? `${d.type} rejected ${d.outcome.status} ${d.outcome.errorCode ?? ""}`.trim()
          : `${d.type} ${d.outcome.kind}`,
      );
      const proxy = stack.proxy?.stats();
      // Stream starts answered within Slack's latency after the kill (a call is recorded when
      // answered): those made by the killed instance are streams it never recorded (counted
      // over both instances, so a bound).
      const startsAtKill = stack.slack
        .calls("chat.startStream")
        .filter(
          (c) => c.time >= crash.at && c.time <= crash.at + SLACK_POST_LATENCY_MS + 50,
        ).length;
      console.log(
        `[${backend} SIGKILL] ${REQUESTS} requests over ${INSTANCES} instances, seed ${SEED.toString(16)}: ` +
          `instance ${victim} killed at +${seconds(crash.at - started)} ` +
          `(${crash.inFlightCallbacks} callbacks in flight), back after ${seconds(crash.back - crash.at)}; ` +
          `records: ${formatCounts(tally.byStatus)}; ` +
          `replies ${replies.replies}, duplicates ${replies.duplicates}, missing ${replies.missing} ` +
          `(answers ${answers.replies}, duplicate answers ${answers.duplicates}, deadline notices ${notices.replies}); ` +
          `progress messages left ${leftovers.replies} (stream starts in flight at the kill ${startsAtKill}); ` +
          `redispatched ${redispatched}; ` +
          `mention deliveries ${webhooks.length} (${formatCounts(countBy(webhooks, (w) => String(w.status)))}); ` +
          `agent deliveries: ${formatCounts(deliveries)}; proxy fail-overs ${proxy?.failedOver ?? 0}, ` +
          `502s ${proxy?.badGateway ?? 0}; ` +
          `${tally.pending.length === 0 ? "all terminal" : `${tally.pending.length} still pending`} after ${seconds(endedMs)}`,
      );

      await describeLeftovers(stack, threads, requestIds, crash.at);
      expect(tally.pending).toEqual([]);
      for (const [status, count] of Object.entries(tally.byStatus)) {
        expect(["completed", "error"], `${count} requests ended ${status}`).toContain(status);
      }
      // Errors come from the sweeper only (a request the crash left without an agent).
      for (const record of tally.records.values()) {
        if (record?.status === "error") expect(record.error?.code).toBe("deadline");
      }
      // At most one reply per request, and the completed ones carry the agent's answer.
      expect(replies.duplicates).toBe(0);
      expect(replies.missing).toBe(0);
      // No "Working…" line outlives its request, even the one the killed instance posted: one
      // the kill left behind (a clean-up cut short, a start that landed after the end) goes by
      // the sweeper's second look, which is waited for, and no longer.
      if (leftovers.replies > 0) {
        await waitUntil(() => countReplies(stack, threads, (m) => isProgress(m)).replies === 0, {
          what: "the sweeper's second look to remove the leftovers",
          timeoutMs: SECOND_LOOK_WITHIN_MS,
        }).catch(() => undefined);
      }
      expect(countReplies(stack, threads, (m) => isProgress(m)).replies).toBe(0);
      expect(answers.replies).toBe(tally.byStatus.completed ?? 0);
    },
    TEST_TIMEOUT_MS,
  );
});

/**
 * What each leftover is, to tell a stream never recorded from one whose clean-up was cut short:
 * its Slack calls (answer status and time relative to the kill) and its request's status record.
 */
async function describeLeftovers(
  stack: LocalStack,
  threads: readonly string[],
  requestIds: readonly string[],
  crashAt: number,
): Promise<void> {
  const left = threads.flatMap((threadTs, i) =>
    stack
      .replies(threadTs)
      .filter((m) => m.isBot && isProgress(m))
      .map((m) => ({ threadTs, requestId: requestIds[i] ?? "", m })),
  );
  if (left.length === 0) return;
  const inspector = await openBackendInspector(stack);
  const { entries } = await inspector.dump().finally(() => inspector.close());
  for (const { threadTs, requestId, m } of left) {
    const calls = ["chat.startStream", "chat.appendStream", "chat.stopStream", "chat.delete"]
      .map((method) => {
        const on = stack.slack
          .calls(method)
          .filter(
            (c) =>
              c.params.ts === m.ts ||
              (method === "chat.startStream" && c.params.thread_ts === threadTs),
          );
        return `${method} ${on.map((c) => `${c.status}@${c.time - crashAt}ms`).join(",")}`;
      })
      .join("; ");
    const status = entries.find((e) => e.key.includes(`bot-request-progress:${requestId}`));
    // Every stored key that names the thread: another request in it would show here.
    const naming = entries
      .filter((e) => e.key.includes(threadTs) || JSON.stringify(e.value).includes(threadTs))
      .map((e) => e.key);
    console.log(
      `[${stack.backend} SIGKILL] left in ${threadTs}: ${m.ts} streaming=${m.streaming} ` +
        `text=${JSON.stringify(m.text.slice(0, 60))}; ${calls}; status record ${JSON.stringify(status?.value ?? null).slice(0, 400)}; ` +
        `request ${requestId}; keys naming the thread ${JSON.stringify(naming)}`,
    );
  }
}
