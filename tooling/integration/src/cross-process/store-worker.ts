/**
 * A child process that touches the resume store the way a separate app instance would:
 * it opens its own connection to the shared backend, does one task and prints a JSON result.
 */
import { beginResume, createRequestStores, finishResume, rehydrateMessageState } from "@baton/core";
import { createSlackTestBot } from "@baton/testing";
import { type BackendSpec, openBackend } from "../support/backend-spec";
import { seedRequest } from "../support/seed-request";

export type StoreTask =
  | {
      action: "write";
      backend: BackendSpec;
      botRequestId: string;
      envelope: Record<string, unknown>;
      apiUrl: string;
    }
  | {
      action: "resume";
      backend: BackendSpec;
      botRequestIds: string[];
      apiUrl: string;
      answer: string;
      race?: RaceSlots;
    }
  | {
      action: "finalize";
      backend: BackendSpec;
      botRequestIds: string[];
      tag: string;
      race: RaceSlots;
    };

/** Request i is attempted at `startAt + i * slotMs` by every racer, so each one is contended. */
export interface RaceSlots {
  startAt: number;
  slotMs: number;
}

export interface ResumeReport {
  id: string;
  start: string;
  posted: boolean;
}

async function waitForSlot(race: RaceSlots | undefined, index: number): Promise<void> {
  if (!race) return;
  const delay = race.startAt + index * race.slotMs - Date.now();
  if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
}

async function run(task: StoreTask): Promise<unknown> {
  const state = await openBackend(task.backend);
  const stores = createRequestStores({ state });
  const { requests } = stores;
  try {
    if (task.action === "write") {
      return await seedRequest(state, task);
    }

    if (task.action === "resume") {
      const bot = createSlackTestBot({ apiUrl: task.apiUrl, state });
      await bot.chat.initialize();
      const reports: ResumeReport[] = [];
      for (const [index, id] of task.botRequestIds.entries()) {
        await waitForSlot(task.race, index);
        const start = await beginResume(stores, id);
        let posted = false;
        if (start.kind === "claimed" && start.messageState.kind === "found") {
          const { thread } = rehydrateMessageState(start.messageState.state, bot.chat);
          await thread.post(task.answer);
          posted = true;
          await finishResume(stores, start, { status: "completed" });
        }
        reports.push({ id, start: start.kind, posted });
      }
      return reports;
    }

    const won: string[] = [];
    for (const [index, id] of task.botRequestIds.entries()) {
      await waitForSlot(task.race, index);
      const loaded = await requests.get(id);
      if (loaded.kind !== "found") throw new Error(`request ${id} is ${loaded.kind}`);
      const result = await requests.finalize(loaded.record, {
        status: "error",
        error: { code: task.tag, message: `finalised by ${task.tag}` },
      });
      if (result.kind === "finalized") won.push(id);
    }
    return { won };
  } finally {
    await state.disconnect();
  }
}

const task = JSON.parse(process.argv[2] ?? "{}") as StoreTask;
run(task).then(
  (result) => {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    process.exit(0);
  },
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
