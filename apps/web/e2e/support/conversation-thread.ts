import { type LocalStack, type StackDispatch, waitUntil } from "@baton/stack";
import { FIXTURE_WORKSPACE } from "@baton/testing";

/** What the reference agent's demo executor answers starts with this. */
export const isDemoAnswer = (text: string) => text.includes("Baton demo agent");

/** A human writes in a thread the bot follows (no mention); throws unless the webhook answered 200. */
export async function replyInThread(stack: LocalStack, threadTs: string, text: string) {
  const delivery = await stack.slack.message({
    channel: stack.channel,
    user: FIXTURE_WORKSPACE.human.id,
    text,
    threadTs,
  });
  if (delivery.status !== 200 || !delivery.ts) {
    throw new Error(`the Slack webhook answered ${delivery.status ?? delivery.error}`);
  }
  return delivery.ts;
}

/** The bot's answers in a thread, oldest first, once there are at least `count`. */
export function waitForAnswers(
  stack: LocalStack,
  threadTs: string,
  count: number,
  timeoutMs = 20_000,
) {
  const answers = () => stack.replies(threadTs).filter((m) => m.isBot && isDemoAnswer(m.text));
  return waitUntil(() => (answers().length >= count ? answers() : undefined), {
    what: `${count} answers in thread ${threadTs}`,
    timeoutMs,
    describe: () => `replies: ${JSON.stringify(stack.replies(threadTs).map((m) => m.text))}`,
  });
}

/** Every dispatch the agent received for a thread (accepted, refused and faulted), oldest first. */
export function dispatchesIn(stack: LocalStack, threadTs: string) {
  const threadId = `slack:${stack.channel}:${threadTs}`;
  return stack.agent.dispatches().filter((d) => d.request?.context.threadId === threadId);
}

/** The accepted dispatches of a thread: one per turn the agent ran. */
export function acceptedIn(stack: LocalStack, threadTs: string): StackDispatch[] {
  return dispatchesIn(stack, threadTs).filter(
    (d): d is StackDispatch => d.outcome === "accepted" && d.botRequestId !== undefined,
  );
}
