import { Actions, Button, Card, CardText, type PostableCard } from "chat";
import { CANCEL_ACTION_ID } from "../keys";
import type { StatusMessage } from "../request/status-message-store";
import { renderProgress, renderProgressParts } from "./progress-view";

/**
 * The status message as a card: the status line and plan, the answer so far (each its own
 * section, within Slack's 3,000 characters per section), and a Cancel button whose value is the
 * request, so any instance receiving the click knows what to cancel. Platforms without cards
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
        ]),
      ],
    }),
    fallbackText: renderProgress(status),
  };
}
