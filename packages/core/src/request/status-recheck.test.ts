import { FIXTURE_WORKSPACE } from "@baton/testing";
import { createMemoryState } from "@chat-adapter/state-memory";
import { afterEach, describe, expect, it } from "vitest";
import { DEADLINE_BUCKET_MS, STATUS_RECHECK_DELAY_MS } from "../keys";
import { sweepDeadlines } from "../sweeper/deadline-sweeper";
import {
  type FlowHarness,
  requestIdOf,
  sendCallback,
  startFlowHarness,
} from "../test-support/flow-harness";
import { newStreamIntent, streamMarkerText } from "./stream-intent";

const channel = FIXTURE_WORKSPACE.channel.id;

/** The ts of every bot message in the thread. */
const botTsIn = (harness: FlowHarness, ts: string) =>
  harness.slack
    .repliesIn(channel, ts)
    .filter((m) => m.isBot)
    .map((m) => m.ts);

/** A sweep once the second look filed at the request's end is due. */
function sweepWhenRecheckDue(harness: FlowHarness) {
  const due = Date.now() + STATUS_RECHECK_DELAY_MS + DEADLINE_BUCKET_MS;
  return sweepDeadlines({ ...harness.flows.deps, now: () => due });
}

/** A status line in the thread, recorded as the request's status message. */
async function showStatusLine(harness: FlowHarness, id: string, ts: string, markdown: string) {
  const status = await harness.chat
    .getAdapter("slack")
    .postMessage(`slack:${channel}:${ts}`, { markdown });
  await harness.flows.deps.statusMessages.set(id, {
    sequence: 1,
    messageId: status.id,
    postingSince: 1,
  });
  return status;
}

describe("the sweeper's second look at an ended request's status", () => {
  let harness: FlowHarness | undefined;
  afterEach(async () => {
    await harness?.stop();
    harness = undefined;
  });

  it("after an end without the progress lock: a stream start that landed after the end goes", async () => {
    harness = await startFlowHarness();
    const { ts, outcome } = await harness.mention(
      "[never] pourquoi `pnpm turbo run build --filter=web...` échoue-t-il ?",
    );
    const id = requestIdOf(outcome);
    const { deps } = harness.flows;
    // A progress update is under way (it holds the lock) and has recorded its stream's start.
    const held = await deps.statusMessages.lock(id);
    if (!held) throw new Error("the progress lock was not free");
    const intent = newStreamIntent(id, Date.now(), 0);
    await deps.statusMessages.set(id, {
      sequence: 2,
      postingSince: intent.since,
      streamIntent: intent,
      stream: { through: 1, pending: [] },
    });
    try {
      // The answer arrives; its end waits for the lock, then goes on without it.
      const answered = await sendCallback(harness, id, {
        type: "completed",
        sequence: 3,
        text: "Le filtre `--filter=web...` inclut les dépendances ; voici pourquoi.",
      });
      expect(answered.status).toBe(200);
      await harness.finalRecord(id);
      // Only then does the stalled update's stream start land in the thread.
      const threadId = `slack:${channel}:${ts}`;
      const adapter = harness.chat.getAdapter("slack");
      const late = await adapter.postMessage(threadId, {
        markdown: `${streamMarkerText(intent)}1. Lire la config`,
      });
      const botTexts = () => (harness ? botTsIn(harness, ts) : []);
      expect(botTexts()).toContain(late.id);

      // Before the recheck is due nothing is looked at; after it, the late stream is gone.
      await sweepWhenRecheckDue(harness);
      expect(botTexts()).not.toContain(late.id);
      const answers = harness.slack.repliesIn(channel, ts).filter((m) => m.isBot);
      expect(answers.map((m) => m.text)).toEqual([expect.stringContaining("--filter=web...")]);
    } finally {
      await deps.statusMessages.unlock(held);
    }
  });
  it("finishes a clean-up cut short: a status message the end could not delete goes", async () => {
    harness = await startFlowHarness();
    const { ts, outcome } = await harness.mention(
      "[never] relis `docs/deploy.md` et dis-moi si `--max-old-space-size=4096` suffit",
    );
    const id = requestIdOf(outcome);
    const { deps } = harness.flows;
    const status = await showStatusLine(harness, id, ts, "_Working (1/2): lecture de la doc…_");
    // The end's delete is refused once (as if its instance died there): the status stays.
    harness.slack.injectFault("chat.delete", { slackError: "cant_delete_message", times: 1 });
    const answered = await sendCallback(harness, id, {
      type: "completed",
      sequence: 2,
      text: "Oui : 4 Go suffisent pour `next build` ici.",
    });
    expect(answered.status).toBe(200);
    await harness.finalRecord(id);
    const botTs = () => (harness ? botTsIn(harness, ts) : []);
    expect(botTs()).toContain(status.id);

    await sweepWhenRecheckDue(harness);
    expect(botTs()).not.toContain(status.id);
    const left = harness.slack.repliesIn(channel, ts).filter((m) => m.isBot);
    expect(left.map((m) => m.text)).toEqual([expect.stringContaining("4 Go")]);
    // Done: the status is closed with nothing pending, so a later look changes nothing.
    expect(await deps.statusMessages.get(id)).toEqual({
      sequence: Number.MAX_SAFE_INTEGER,
      closed: true,
    });
  });

  it("an end whose instance dies right after its finish batch: the posts the claim saw go", async () => {
    // The instance "dies" at its first write after the finish batch: the clean-up's own write.
    let progressWrites = 0;
    let dieAtWrite = Number.POSITIVE_INFINITY;
    const memory = createMemoryState();
    const state = new Proxy(memory, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver);
        if (property !== "set" || typeof value !== "function") {
          return typeof value === "function" ? value.bind(target) : value;
        }
        return (key: string, ...rest: unknown[]) => {
          if (key.includes("bot-request-progress:") && ++progressWrites === dieAtWrite) {
            return Promise.reject(new Error("the instance died here"));
          }
          return value.call(target, key, ...rest);
        };
      },
    });
    harness = await startFlowHarness({ state });
    const { ts, outcome } = await harness.mention(
      "[never] compare `git log --oneline --first-parent main` avec la prod",
    );
    const id = requestIdOf(outcome);
    const { deps } = harness.flows;
    const status = await showStatusLine(harness, id, ts, "_Working (1/2): lecture du log…_");
    // Write 1 is the finish batch's close; nothing after it happens: neither the clean-up's
    // own write (where there is one) nor its delete.
    progressWrites = 0;
    dieAtWrite = 2;
    harness.slack.injectFault("chat.delete", { slackError: "cant_delete_message", times: 1 });
    await sendCallback(harness, id, {
      type: "completed",
      sequence: 2,
      text: "Trois commits d'écart : `a1b2c3d`, `e4f5a6b`, `c7d8e9f`.",
    });
    await harness.finalRecord(id);
    const botTs = () => (harness ? botTsIn(harness, ts) : []);
    expect(botTs()).toContain(status.id);
    expect(await deps.statusMessages.get(id)).toMatchObject({
      closed: true,
      cleanupPending: true,
      messageId: status.id,
    });

    dieAtWrite = Number.POSITIVE_INFINITY;
    await sweepWhenRecheckDue(harness);
    expect(botTs()).not.toContain(status.id);
    const left = harness.slack.repliesIn(channel, ts).filter((m) => m.isBot);
    expect(left.map((m) => m.text)).toEqual([expect.stringContaining("Trois commits")]);
  });
});
