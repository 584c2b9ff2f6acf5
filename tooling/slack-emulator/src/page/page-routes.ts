import type { IncomingMessage, ServerResponse } from "node:http";
import type { ClickDelivery, ClickInput } from "../events/block-actions";
import type { EventActions } from "../events/event-actions";
import { foldStreamChunks } from "../model/stream-plan";
import type { StoredMessage, WorkspaceModel } from "../model/workspace-model";
import type { Recorder } from "../recorder";
import type { EmulatorFile } from "../types";
import type { EphemeralMessage } from "../web-api/method-context";
import { mrkdwnToDisplay, typedTextToMrkdwn } from "./page-text";
import { renderWebPage } from "./web-page";

/** The page at `/` and its JSON endpoints under `/emulator/`. */

export interface PageRoutesOptions {
  model: WorkspaceModel;
  threadStatus: Map<string, string>;
  actions: EventActions;
  recorder: Recorder;
  webhookConfigured: () => boolean;
  /** Messages only one user sees (`chat.postEphemeral`): the page shows them, marked so. */
  ephemerals: () => readonly EphemeralMessage[];
  /** A user clicks a button (a signed `block_actions` interaction to the bot). */
  click: (input: ClickInput) => Promise<ClickDelivery>;
  /** A user clicks the agent session's native stop button (an `agent_session_stopped` event). */
  stopAgentSession: (input: {
    channel: string;
    threadTs: string;
    user: string;
  }) => Promise<unknown>;
}

interface PostedMessage {
  channel?: unknown;
  user?: unknown;
  text?: unknown;
  threadTs?: unknown;
  mention?: unknown;
  /** Files shared with the message: `{ name, mimetype?, content }`, the content as UTF-8 text. */
  files?: unknown;
}

/** Files one page message may share, and the text each may hold. */
const MAX_PAGE_FILES = 10;
const MAX_PAGE_FILE_BYTES = 1024 * 1024;

/** The files of a page message as the emulator shares them, or why they cannot be. */
function pageFiles(files: unknown, nextId: () => string): EmulatorFile[] | string {
  if (files === undefined) return [];
  if (!Array.isArray(files) || files.length > MAX_PAGE_FILES) {
    return `files must be a list of at most ${MAX_PAGE_FILES}`;
  }
  const shared: EmulatorFile[] = [];
  for (const file of files as { name?: unknown; mimetype?: unknown; content?: unknown }[]) {
    if (typeof file?.name !== "string" || !file.name || typeof file.content !== "string") {
      return "each file needs a name and a text content";
    }
    const bytes = Buffer.byteLength(file.content, "utf8");
    if (bytes > MAX_PAGE_FILE_BYTES) return `a file holds at most ${MAX_PAGE_FILE_BYTES} bytes`;
    const mimetype = typeof file.mimetype === "string" ? file.mimetype : "text/plain";
    shared.push({ id: nextId(), name: file.name, mimetype, size: bytes, content: file.content });
  }
  return shared;
}

/** The names of the files a message shares (an upload's message has no text of its own). */
function fileNamesOf(files: unknown): string[] {
  if (!Array.isArray(files)) return [];
  return files.flatMap((file) => {
    const name = (file as { name?: unknown } | null)?.name;
    return typeof name === "string" ? [name] : [];
  });
}

/** The buttons of a message's `actions` blocks, as the page shows them. */
interface PageButton {
  actionId: string;
  label: string;
  style?: string;
  /** A link button: opens the URL (Slack still sends the click to the app). */
  url?: string;
}

function buttonsOf(blocks: unknown): PageButton[] {
  if (!Array.isArray(blocks)) return [];
  const buttons: PageButton[] = [];
  for (const block of blocks as { type?: string; elements?: unknown }[]) {
    if (block.type !== "actions" || !Array.isArray(block.elements)) continue;
    for (const element of block.elements as {
      type?: string;
      action_id?: string;
      text?: { text?: string };
      style?: string;
      url?: string;
    }[]) {
      if (element.type !== "button" || !element.action_id) continue;
      buttons.push({
        actionId: element.action_id,
        label: element.text?.text ?? element.action_id,
        ...(element.style ? { style: element.style } : {}),
        ...(element.url ? { url: element.url } : {}),
      });
    }
  }
  return buttons;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "cache-control": "no-store",
  });
  res.end(JSON.stringify(body));
}

export function createPageRoutes(options: PageRoutesOptions) {
  const { model } = options;

  function display(message: StoredMessage) {
    const user = message.user ? model.getUser(message.user) : undefined;
    const text = mrkdwnToDisplay(message.text, model.getUser, (id) => model.getChannel(id)?.name);
    return {
      ts: message.ts,
      user: message.user,
      userName: user ? user.displayName || user.realName || user.name : (message.user ?? "unknown"),
      isBot: message.isBot,
      text: text || (message.fields.blocks ? "[blocks]" : ""),
      streaming: message.stream?.state === "streaming",
      edited: Boolean(message.edited),
      deleted: Boolean(message.tombstone),
      plan: message.stream
        ? foldStreamChunks(message.stream.chunks, message.stream.taskDisplayMode)
        : undefined,
      buttons: buttonsOf(message.fields.blocks),
      files: fileNamesOf(message.fields.files),
      reactions: [...message.reactions].map(([name, who]) => ({ name, count: who.length })),
    };
  }

  function state(channelId: string) {
    const channel = model.getChannel(channelId) ?? model.listChannels()[0];
    const messages = channel
      ? model.topLevel(channel.id).map((root) => ({
          ...display(root),
          status: options.threadStatus.get(`${channel.id}:${root.ts}`),
          replies: model.threadOf(root).slice(1).map(display),
        }))
      : [];
    return {
      version: model.version,
      bot: { id: model.bot.userId, name: model.bot.name },
      webhookConfigured: options.webhookConfigured(),
      channel: channel ? { id: channel.id, name: channel.name } : undefined,
      channels: model.listChannels().map((c) => ({ id: c.id, name: c.name })),
      users: model.listUsers().map((u) => ({ id: u.id, name: u.name, isBot: Boolean(u.isBot) })),
      messages,
      ephemerals: channel
        ? options
            .ephemerals()
            .filter((e) => e.channel === channel.id)
            .map((e) => ({
              ts: e.ts,
              threadTs: e.threadTs,
              user: model.getUser(e.user)?.name ?? e.user,
              text: mrkdwnToDisplay(e.text, model.getUser, (id) => model.getChannel(id)?.name),
            }))
        : [],
    };
  }

  let sharedFiles = 0;
  async function postMessage(res: ServerResponse, body: string): Promise<void> {
    let input: PostedMessage;
    try {
      input = JSON.parse(body) as PostedMessage;
    } catch {
      return sendJson(res, 400, { error: "invalid JSON" });
    }
    const { channel, user, text } = input;
    if (
      typeof channel !== "string" ||
      typeof user !== "string" ||
      typeof text !== "string" ||
      !text.trim()
    ) {
      return sendJson(res, 400, { error: "channel, user and text are required" });
    }
    const files = pageFiles(input.files, () => `F0PAGE${String(++sharedFiles).padStart(5, "0")}`);
    if (typeof files === "string") return sendJson(res, 400, { error: files });
    const threadTs =
      typeof input.threadTs === "string" && input.threadTs ? input.threadTs : undefined;
    const mrkdwn = typedTextToMrkdwn(text, model.listUsers());
    const mentionsBot = mrkdwn.includes(`<@${model.bot.userId}>`);
    const asMention = input.mention === true || (input.mention !== false && mentionsBot);
    try {
      const delivery = asMention
        ? await options.actions.mention({ channel, user, text: mrkdwn, threadTs, files })
        : await options.actions.message({ channel, user, text: mrkdwn, threadTs, files });
      return sendJson(res, 200, { kind: asMention ? "mention" : "message", delivery });
    } catch (error) {
      return sendJson(res, 400, { error: error instanceof Error ? error.message : String(error) });
    }
  }

  /** A button click on the page: sent to the bot as a signed `block_actions` interaction. */
  async function click(res: ServerResponse, body: string): Promise<void> {
    let input: { channel?: unknown; ts?: unknown; actionId?: unknown; user?: unknown };
    try {
      input = JSON.parse(body) as typeof input;
    } catch {
      return sendJson(res, 400, { error: "invalid JSON" });
    }
    const { channel, ts, actionId, user } = input;
    if (![channel, ts, actionId, user].every((v) => typeof v === "string" && v)) {
      return sendJson(res, 400, { error: "channel, ts, actionId and user are required" });
    }
    try {
      const delivery = await options.click({
        channel: channel as string,
        messageTs: ts as string,
        actionId: actionId as string,
        user: user as string,
      });
      return sendJson(res, 200, { delivery });
    } catch (error) {
      return sendJson(res, 400, { error: error instanceof Error ? error.message : String(error) });
    }
  }

  async function stop(res: ServerResponse, body: string): Promise<void> {
    let input: { channel?: unknown; threadTs?: unknown; user?: unknown };
    try {
      input = JSON.parse(body) as typeof input;
    } catch {
      return sendJson(res, 400, { error: "invalid JSON" });
    }
    const { channel, threadTs, user } = input;
    if (typeof channel !== "string" || typeof threadTs !== "string" || typeof user !== "string") {
      return sendJson(res, 400, { error: "channel, threadTs and user are required" });
    }
    return sendJson(res, 200, {
      delivery: await options.stopAgentSession({ channel, threadTs, user }),
    });
  }

  return {
    /** True when the request was one of the page's routes. */
    async handle(
      req: IncomingMessage,
      res: ServerResponse,
      url: URL,
      body: string,
    ): Promise<boolean> {
      const route = `${req.method} ${url.pathname}`;
      if (route === "GET /" || route === "GET /index.html") {
        res.writeHead(200, {
          "content-type": "text/html; charset=utf-8",
          "cache-control": "no-store",
        });
        res.end(renderWebPage({ botName: model.bot.name, teamName: model.teamName }));
        return true;
      }
      if (route === "GET /emulator/state") {
        const since = Number(url.searchParams.get("since") ?? Number.NaN);
        if (since === model.version)
          sendJson(res, 200, { version: model.version, unchanged: true });
        else sendJson(res, 200, state(url.searchParams.get("channel") ?? ""));
        return true;
      }
      if (route === "POST /emulator/messages") {
        await postMessage(res, body);
        return true;
      }
      if (route === "POST /emulator/stop") {
        await stop(res, body);
        return true;
      }
      if (route === "POST /emulator/click") {
        await click(res, body);
        return true;
      }
      if (route === "GET /emulator/calls") {
        sendJson(res, 200, {
          calls: options.recorder.calls(),
          deliveries: options.recorder.deliveries(),
        });
        return true;
      }
      return false;
    },
  };
}
