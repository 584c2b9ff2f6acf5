import type { Logger, Thread } from "chat";
import { BACKGROUND_PLATFORM_BUDGET, postNotice } from "../platform/platform-calls";

/** A notice in the thread, from a webhook's deferred work: nobody retries it after us. */
export function notifyThread(deps: { logger: Logger }, thread: Thread, text: string) {
  return postNotice(thread, text, {
    budget: BACKGROUND_PLATFORM_BUDGET,
    logger: deps.logger,
    context: { threadId: thread.id },
  });
}
