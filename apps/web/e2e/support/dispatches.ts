import { type LocalStack, type StackDispatch, waitUntil } from "@baton/stack";

/** Accepted dispatches by thread ts, for the threads the stack's agent has seen so far. */
export function dispatchesByThread(stack: LocalStack): Map<string, StackDispatch[]> {
  const prefix = `slack:${stack.channel}:`;
  const byThread = new Map<string, StackDispatch[]>();
  for (const dispatch of stack.agent.dispatches()) {
    const threadId = dispatch.request?.context.threadId;
    if (dispatch.outcome !== "accepted" || !dispatch.botRequestId || !threadId) continue;
    if (!threadId.startsWith(prefix)) continue;
    const threadTs = threadId.slice(prefix.length);
    const list = byThread.get(threadTs) ?? [];
    list.push(dispatch as StackDispatch);
    byThread.set(threadTs, list);
  }
  return byThread;
}

/** Waits until every thread has an accepted dispatch; resolves with the first one of each. */
export async function waitForDispatches(
  stack: LocalStack,
  threads: readonly string[],
  timeoutMs: number,
): Promise<Map<string, StackDispatch>> {
  let missing: string[] = [];
  return waitUntil(
    () => {
      const seen = dispatchesByThread(stack);
      missing = threads.filter((threadTs) => !seen.has(threadTs));
      if (missing.length > 0) return undefined;
      return new Map(threads.map((t) => [t, seen.get(t)?.[0] as StackDispatch]));
    },
    {
      what: `a dispatch for each of ${threads.length} threads`,
      timeoutMs,
      intervalMs: 200,
      describe: () => `no dispatch yet for ${missing.length}: ${missing.slice(0, 5).join(", ")}`,
    },
  );
}

/** The first accepted dispatch of one thread, or undefined when none came within `timeoutMs`. */
export function firstDispatchOf(
  stack: LocalStack,
  threadTs: string,
  what: string,
  timeoutMs: number,
): Promise<StackDispatch | undefined> {
  return waitUntil(() => dispatchesByThread(stack).get(threadTs)?.[0], {
    what,
    timeoutMs,
    intervalMs: 100,
  }).catch(() => undefined);
}
