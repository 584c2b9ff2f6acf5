import { Actions, Button, Card, CardText, LinkButton, type PostableCard } from "chat";
import { ANSWER_ACTIONS_MAX_CHARS, RETRY_ACTION_ID } from "../keys";

/** What goes under the answer: Retry always, "Open session" when the agent gave its URL. */
export interface AnswerActions {
  botRequestId: string;
  sessionUrl?: string | undefined;
}

/**
 * The answer's last chunk as it is posted: the same Markdown as a card section with a Retry
 * button (value: the request, so any instance can act on the click) and "Open session" when the
 * agent gave its session's URL. Posted in one call, never a post and then an edit: the edit was
 * a second platform call on every answer. A chunk too long for one card section keeps its plain
 * form (no buttons).
 */
export function answerChunk(chunk: string, actions: AnswerActions): string | PostableCard {
  if (chunk.length > ANSWER_ACTIONS_MAX_CHARS) return chunk;
  const card = Card({
    children: [
      CardText(chunk),
      Actions([
        Button({ id: RETRY_ACTION_ID, label: "Retry", value: actions.botRequestId }),
        ...(actions.sessionUrl
          ? [LinkButton({ url: actions.sessionUrl, label: "Open session" })]
          : []),
      ]),
    ],
  });
  return { card, fallbackText: chunk };
}
