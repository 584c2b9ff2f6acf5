import { Actions, Button, Card, CardText, LinkButton, type Thread } from "chat";
import { ANSWER_ACTIONS_MAX_CHARS, RETRY_ACTION_ID } from "../keys";
import { editMarkdown } from "../platform/platform-calls";
import type { ReplyRecord } from "../request/reply-store";
import type { RequestDeps } from "../request/request-stores";

/**
 * Puts a Retry button (and "Open session", when the agent gave its session's URL) under the
 * answer's last message, once it is posted: the same Markdown as a
 * card section with the button (value: the request, so any instance can act on the click). An
 * edit, so it is safe to repeat; cosmetic, so a failure is logged and the request goes on. A last
 * chunk too long for one card section keeps its plain form.
 */
export async function addAnswerActions(
  deps: RequestDeps,
  botRequestId: string,
  thread: Thread,
  reply: ReplyRecord,
  sessionUrl: string | undefined,
): Promise<void> {
  const messageId = reply.postedIds?.at(-1);
  const chunk = reply.chunks.at(-1);
  if (!messageId || chunk === undefined || chunk.length > ANSWER_ACTIONS_MAX_CHARS) return;
  const card = Card({
    children: [
      CardText(chunk),
      Actions([
        Button({ id: RETRY_ACTION_ID, label: "Retry", value: botRequestId }),
        ...(sessionUrl ? [LinkButton({ url: sessionUrl, label: "Open session" })] : []),
      ]),
    ],
  });
  try {
    await editMarkdown(
      thread,
      messageId,
      { card, fallbackText: chunk },
      {
        logger: deps.logger,
        context: { botRequestId },
      },
    );
  } catch (error) {
    deps.logger.warn("could not add the Retry button to the answer", { botRequestId, error });
  }
}
