import { createBotRequestStore } from "@baton/core";
import type { StateAdapter } from "chat";
import type { EmulatorHost } from "./emulator-host";
import type { PendingRequest } from "./seed-requests";

/** Record reads in flight while verifying. */
const VERIFY_CONCURRENCY = 32;
/** Problems listed by id in the report; the rest are only counted. */
const LISTED_PROBLEMS = 10;

export interface OutcomeCheck {
  checked: number;
  completed: number;
  /** Requests whose thread holds exactly one bot reply, and it carries the request's reference. */
  repliedOnce: number;
  /** Bot replies in seeded threads, all told (must equal `checked`). */
  botReplies: number;
  problems: string[];
  ok: boolean;
}

/**
 * After the load: every request that was sent a callback must be `completed`, and its thread in
 * the emulator must hold exactly one bot reply, the one that names it.
 */
export async function verifyOutcomes(
  state: StateAdapter,
  emulator: EmulatorHost,
  sent: PendingRequest[],
): Promise<OutcomeCheck> {
  const requests = createBotRequestStore({ state });
  const problems: string[] = [];
  let completed = 0;
  let cursor = 0;
  const worker = async () => {
    for (let request = sent[cursor++]; request; request = sent[cursor++]) {
      const loaded = await requests.get(request.botRequestId);
      const status = loaded.kind === "found" ? loaded.record.status : loaded.kind;
      if (status === "completed") completed += 1;
      else problems.push(`${request.botRequestId}: status ${status}`);
    }
  };
  await Promise.all(Array.from({ length: VERIFY_CONCURRENCY }, worker));

  const threads = await emulator.threadReplies(sent.map((request) => request.channel));
  const byThread = new Map(threads.map((t) => [`${t.channel}:${t.threadTs}`, t.refs]));
  let repliedOnce = 0;
  for (const request of sent) {
    const refs = byThread.get(`${request.channel}:${request.threadTs}`) ?? [];
    if (refs.length === 1 && refs[0] === request.botRequestId) repliedOnce += 1;
    else problems.push(`${request.botRequestId}: replies ${JSON.stringify(refs)}`);
  }
  const botReplies = threads.reduce((sum, thread) => sum + thread.refs.length, 0);
  if (botReplies !== sent.length) {
    problems.push(`${botReplies} bot replies in the seeded threads for ${sent.length} callbacks`);
  }
  return {
    checked: sent.length,
    completed,
    repliedOnce,
    botReplies,
    problems: [
      ...problems.slice(0, LISTED_PROBLEMS),
      ...(problems.length > LISTED_PROBLEMS ? [`… ${problems.length - LISTED_PROBLEMS} more`] : []),
    ],
    ok: problems.length === 0,
  };
}
