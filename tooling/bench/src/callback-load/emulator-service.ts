import type { SlackEmulator } from "@baton/slack-emulator";
import { FIXTURE_WORKSPACE } from "@baton/testing";

/** Callback answers carry this marker + the request id, so a reply can be traced to its request. */
export const REPLY_REF_PREFIX = "cbref-";
const REPLY_REF = new RegExp(`${REPLY_REF_PREFIX}([A-Za-z0-9_-]+)`);

/** A mention a human made in the emulated workspace, with the envelope Slack would deliver. */
export interface ComposedMention {
  channel: string;
  ts: string;
  envelope: Record<string, unknown>;
}

/** The bot's replies in one thread: the request ids their texts carry (null: no marker). */
export interface ThreadReplies {
  channel: string;
  threadTs: string;
  refs: (string | null)[];
}

export interface EmulatorStats {
  /** Web API calls the bot made, by method. */
  apiCalls: Record<string, number>;
  /** Calls answered with ok:false or a non-200 status. */
  failedCalls: number;
}

/** What the benchmark asks of the Slack emulator, wherever it runs (in process or in a child). */
export interface EmulatorService {
  compose(channels: string[], text: string): ComposedMention[];
  threadReplies(channels: string[]): ThreadReplies[];
  stats(): EmulatorStats;
}

export function createEmulatorService(emulator: SlackEmulator): EmulatorService {
  return {
    compose: (channels, text) =>
      channels.map((channel) => {
        const composed = emulator.composeMention({
          channel,
          user: FIXTURE_WORKSPACE.human.id,
          text,
        });
        return { channel, ts: composed.ts, envelope: composed.envelope };
      }),

    threadReplies: (channels) =>
      [...new Set(channels)].flatMap((channel) =>
        emulator.channelMessages(channel).map((parent) => ({
          channel,
          threadTs: parent.ts,
          refs: emulator
            .repliesIn(channel, parent.ts)
            .filter((reply) => reply.isBot)
            .map((reply) => REPLY_REF.exec(reply.text)?.[1] ?? null),
        })),
      ),

    stats() {
      const apiCalls: Record<string, number> = {};
      let failedCalls = 0;
      for (const call of emulator.calls()) {
        apiCalls[call.method] = (apiCalls[call.method] ?? 0) + 1;
        if (!call.ok || call.status !== 200) failedCalls += 1;
      }
      return { apiCalls, failedCalls };
    },
  };
}
