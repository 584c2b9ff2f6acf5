import { randomUUID } from "node:crypto";
import {
  createBotRequestStore,
  createMessageStateStore,
  newBotRequestFromMention,
  REQUEST_DEADLINE_MS,
} from "@baton/core";
import { createSlackTestBot, parseMentionEnvelope, SAMPLE_MENTIONS } from "@baton/testing";
import type { StateAdapter } from "chat";
import type { EmulatorHost } from "./emulator-host";
import type { ComposedMention } from "./emulator-service";

/** A request waiting for its agent's callback, as a dispatched mention leaves it. */
export interface PendingRequest {
  botRequestId: string;
  agentSessionId: string;
  executionId: string;
  /** Where the mention was made: the reply must land in this thread. */
  channel: string;
  threadTs: string;
}

/**
 * Mentions spread over channels of this many threads each: the emulator keeps a channel's
 * messages in an array it scans per call, which real Slack does not do, so one huge channel
 * would measure the emulator rather than Baton.
 */
export const THREADS_PER_CHANNEL = 50;
/** Mentions composed per emulator call (bounds one IPC message). */
const COMPOSE_BATCH = 500;
/** Store writes in flight while seeding. */
const SEED_CONCURRENCY = 32;

let channelCounter = 0;

function channelsFor(count: number): string[] {
  const channels: string[] = [];
  for (let i = 0; i < count; i++) {
    if (i % THREADS_PER_CHANNEL === 0) channelCounter += 1;
    channels.push(`C0BENCH${channelCounter.toString(36).toUpperCase().padStart(5, "0")}`);
  }
  return channels;
}

/**
 * Leaves `count` real pending requests on the backend: each a mention composed by the emulator
 * (so the thread exists there), parsed by the real Slack adapter, recorded, its message state
 * saved and marked running, exactly the keys the mention flow writes before it waits.
 */
export async function seedPendingRequests(
  state: StateAdapter,
  emulator: EmulatorHost,
  count: number,
): Promise<PendingRequest[]> {
  const sample = SAMPLE_MENTIONS.find((mention) => mention.name === "typical");
  if (!sample) throw new Error("no typical sample mention");
  const bot = createSlackTestBot({ state });
  const requests = createBotRequestStore({ state });
  const messageStates = createMessageStateStore({ state });
  const seeded: PendingRequest[] = [];

  for await (const composed of composeMentions(emulator, count, sample.input.text)) {
    let cursor = 0;
    const worker = async () => {
      for (let item = composed[cursor++]; item; item = composed[cursor++]) {
        const botRequestId = randomUUID();
        const { message, thread } = parseMentionEnvelope(bot, item.envelope);
        const record = await requests.create(
          newBotRequestFromMention(botRequestId, thread, message, Date.now() + REQUEST_DEADLINE_MS),
        );
        await messageStates.save(botRequestId, thread, message);
        const ids = { agentSessionId: `sess_${botRequestId}`, executionId: `exec_${botRequestId}` };
        await requests.markRunning(record, ids);
        seeded.push({ botRequestId, ...ids, channel: item.channel, threadTs: item.ts });
      }
    };
    await Promise.all(Array.from({ length: SEED_CONCURRENCY }, worker));
  }
  return seeded;
}

/** `count` mentions composed on the emulator (threads that exist there), in batches. */
export async function* composeMentions(
  emulator: EmulatorHost,
  count: number,
  text: string,
): AsyncGenerator<ComposedMention[]> {
  for (let offset = 0; offset < count; offset += COMPOSE_BATCH) {
    yield await emulator.compose(channelsFor(Math.min(COMPOSE_BATCH, count - offset)), text);
  }
}
