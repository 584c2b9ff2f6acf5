import { Actions, Button, Card, CardText, LinkButton, type PostableCard } from "chat";
import { CANCEL_ACTION_ID } from "../keys";
import type { StatusMessage } from "../request/status-message-store";
import { renderProgress, renderProgressParts } from "./progress-view";

/**
 * The status message as a card: the status line and plan, the answer so far (each its own
 * section, within Slack's 3,000 characters per section), and a Cancel button whose value is the
 * request, so any instance receiving the click knows what to cancel), and "Open session" when the
 * agent gave its session's URL. Platforms without cards
 * show the Markdown fallback.
 */
export function statusCard(botRequestId: string, status: StatusMessage): PostableCard {
  const { head, preview } = renderProgressParts(status);
  return {
    card: Card({
      children: [
        CardText(head),
        ...(preview ? [CardText(preview)] : []),
        Actions([
          Button({ id: CANCEL_ACTION_ID, label: "Cancel", value: botRequestId, style: "danger" }),
          ...(status.sessionUrl
            ? [LinkButton({ url: status.sessionUrl, label: "Open session" })]
            : []),
        ]),
      ],
    }),
    fallbackText: renderProgress(status),
  };
}
