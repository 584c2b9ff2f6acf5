import { SlackEmulatorError } from "../errors";
import type { IdSource } from "../model/id-source";
import type { WorkspaceModel } from "../model/workspace-model";
import { signSlackRequest } from "./event-signature";

/**
 * A user clicks a button on a bot message: Slack POSTs a signed, form-encoded `block_actions`
 * interaction (`payload=<json>`) to the app's interactivity URL, which the Chat SDK serves on the
 * same webhook route as events.
 */
export interface ClickInput {
  channel: string;
  /** The message holding the button. */
  messageTs: string;
  actionId: string;
  user: string;
  /**
   * A client still showing a button that is gone (the message was edited or deleted since): the
   * click is sent with this value on the given message, whatever its blocks hold now.
   */
  staleButton?: { value: string };
  /** Sign with another secret (a forged click). */
  signingSecret?: string;
}

export interface ClickDelivery {
  status: number | null;
  body: string;
  error?: string;
}

export interface BlockActionsOptions {
  model: WorkspaceModel;
  ids: IdSource;
  appId: string;
  verificationToken: string;
  signingSecret: string;
  now: () => number;
  timeoutMs: number;
  webhookUrl: () => string | undefined;
}

interface ButtonElement {
  type?: string;
  action_id?: string;
  value?: string;
  text?: { text?: string };
}

export function createBlockActions(options: BlockActionsOptions) {
  const { model } = options;

  function findButton(blocks: unknown, actionId: string) {
    if (!Array.isArray(blocks)) return undefined;
    for (const block of blocks as { type?: string; block_id?: string; elements?: unknown }[]) {
      if (block.type !== "actions" || !Array.isArray(block.elements)) continue;
      const element = (block.elements as ButtonElement[]).find((e) => e.action_id === actionId);
      if (element) return { element, blockId: block.block_id ?? "actions" };
    }
    return undefined;
  }

  return {
    async click(input: ClickInput): Promise<ClickDelivery> {
      const message = model.find(input.channel, input.messageTs);
      if (!message) {
        throw new SlackEmulatorError("UNKNOWN_MESSAGE", `no message ${input.messageTs}`);
      }
      const wire = model.toWire(message);
      const found = input.staleButton
        ? { element: { type: "button", value: input.staleButton.value }, blockId: "stale" }
        : findButton(wire.blocks, input.actionId);
      if (!found) {
        throw new SlackEmulatorError("UNKNOWN_ACTION", `no button ${input.actionId} on it`);
      }
      const user = model.getUser(input.user);
      const actionTs = (options.now() / 1000).toFixed(6);
      const payload = {
        type: "block_actions",
        team: { id: model.teamId, domain: "emulator" },
        user: {
          id: input.user,
          username: user?.name ?? input.user,
          name: user?.name ?? input.user,
          team_id: model.teamId,
        },
        api_app_id: options.appId,
        token: options.verificationToken,
        container: {
          type: "message",
          message_ts: message.ts,
          channel_id: input.channel,
          is_ephemeral: false,
          ...(message.parentTs ? { thread_ts: message.parentTs } : {}),
        },
        trigger_id: `${options.ids.eventId()}.trigger`,
        channel: { id: input.channel, name: input.channel },
        message: wire,
        actions: [
          {
            type: found.element.type ?? "button",
            action_id: input.actionId,
            block_id: found.blockId,
            text: { type: "plain_text", text: found.element.text?.text ?? "" },
            ...(found.element.value !== undefined ? { value: found.element.value } : {}),
            action_ts: actionTs,
          },
        ],
      };
      const body = `payload=${encodeURIComponent(JSON.stringify(payload))}`;
      const timestamp = Math.floor(options.now() / 1000);
      const url = options.webhookUrl();
      if (!url) return { status: null, body: "", error: "no webhook URL configured" };
      try {
        const response = await fetch(url, {
          method: "POST",
          headers: {
            "content-type": "application/x-www-form-urlencoded",
            "x-slack-request-timestamp": String(timestamp),
            "x-slack-signature": signSlackRequest(
              input.signingSecret ?? options.signingSecret,
              timestamp,
              body,
            ),
          },
          body,
          signal: AbortSignal.timeout(options.timeoutMs),
        });
        return { status: response.status, body: await response.text() };
      } catch (error) {
        return {
          status: null,
          body: "",
          error: error instanceof Error ? error.message : String(error),
        };
      }
    },
  };
}
