import { createFixtureSlackEmulator } from "@baton/testing";
import {
  type ComposedMention,
  createEmulatorService,
  type EmulatorStats,
  type ThreadReplies,
} from "./emulator-service";

export type EmulatorPlacement = "process" | "inline";

/** The loopback Slack the server posts to, and the benchmark's handle on it. */
export interface EmulatorHost {
  readonly placement: EmulatorPlacement;
  readonly apiUrl: string;
  /** The emulator's own process, when it has one (for CPU accounting). */
  readonly pid: number | undefined;
  compose(channels: string[], text: string): Promise<ComposedMention[]>;
  threadReplies(channels: string[]): Promise<ThreadReplies[]>;
  stats(): Promise<EmulatorStats>;
  stop(): Promise<void>;
}

/** The emulator on this process's event loop: its work competes with the load generator's. */
export async function startInlineEmulator(): Promise<EmulatorHost> {
  const emulator = createFixtureSlackEmulator();
  const { apiUrl } = await emulator.start();
  const service = createEmulatorService(emulator);
  return {
    placement: "inline",
    apiUrl,
    pid: undefined,
    compose: async (channels, text) => service.compose(channels, text),
    threadReplies: async (channels) => service.threadReplies(channels),
    stats: async () => service.stats(),
    stop: () => emulator.stop(),
  };
}
