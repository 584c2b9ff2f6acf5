import type { EmulatorChannel, EmulatorMessage, EmulatorUser } from "../types";
import type { IdSource } from "./id-source";
import { foldStreamChunks } from "./stream-plan";
import { compareTs, type TsClock } from "./ts-clock";

/** In-memory Slack workspace: users, channels, messages and threads. */

export interface StoredChannel {
  id: string;
  name: string;
  isPrivate: boolean;
  isIm: boolean;
  /** The other member of a DM. */
  imUser?: string;
  created: number;
  messages: StoredMessage[];
}

export interface StoredStream {
  state: "streaming" | "stopped";
  startedAt: number;
  /** Structured chunks (task_update, plan_update) received while streaming. */
  chunks: Record<string, unknown>[];
  /** chat.startStream's `task_display_mode`: tasks grouped in one plan, or a timeline. */
  taskDisplayMode?: "plan" | "timeline";
}

export interface StoredMessage {
  channel: string;
  ts: string;
  /** The parent's ts, for replies only. */
  parentTs?: string;
  user?: string;
  isBot: boolean;
  text: string;
  /** Other wire fields (blocks, bot_profile, client_msg_id, …). */
  fields: Record<string, unknown>;
  edited?: { user: string; ts: string };
  reactions: Map<string, string[]>;
  stream?: StoredStream;
  tombstone?: boolean;
}

export interface BotIdentity {
  userId: string;
  botId: string;
  appId: string;
  name: string;
}

export interface WorkspaceModelOptions {
  teamId: string;
  teamName: string;
  bot: BotIdentity;
  users: EmulatorUser[];
  channels: EmulatorChannel[];
  now: () => number;
  tsClock: TsClock;
  ids: IdSource;
}

export interface NewMessage {
  channel: string;
  user?: string;
  text: string;
  threadTs?: string;
  bot?: boolean;
  fields?: Record<string, unknown>;
}

export type WorkspaceModel = ReturnType<typeof createWorkspaceModel>;

export const WORKSPACE_SNAPSHOT_VERSION = 1;

/** The workspace as saved to its file; reactions as entries instead of a Map. */
export interface WorkspaceSnapshot {
  v: typeof WORKSPACE_SNAPSHOT_VERSION;
  users: EmulatorUser[];
  channels: (Omit<StoredChannel, "messages"> & {
    messages: (Omit<StoredMessage, "reactions"> & { reactions: [string, string[]][] })[];
  })[];
}

export function createWorkspaceModel(options: WorkspaceModelOptions) {
  const { bot, now, tsClock } = options;
  const users = new Map<string, EmulatorUser>();
  const channels = new Map<string, StoredChannel>();
  const listeners = new Set<() => void>();
  let version = 0;

  for (const user of options.users) users.set(user.id, user);
  users.set(bot.userId, { id: bot.userId, name: bot.name, realName: bot.name, isBot: true });
  for (const channel of options.channels) addChannel(channel.id, channel.name, channel.isPrivate);

  function addChannel(id: string, name: string, isPrivate = false, imUser?: string): StoredChannel {
    const channel: StoredChannel = {
      id,
      name,
      isPrivate: isPrivate || id.startsWith("G") || id.startsWith("D"),
      isIm: id.startsWith("D"),
      imUser,
      created: Math.floor(now() / 1000),
      messages: [],
    };
    channels.set(id, channel);
    return channel;
  }

  function changed(): void {
    version += 1;
    for (const listener of listeners) listener();
  }

  function find(channelId: string, ts: string): StoredMessage | undefined {
    return channels.get(channelId)?.messages.find((m) => m.ts === ts);
  }

  function repliesOf(root: StoredMessage): StoredMessage[] {
    const channel = channels.get(root.channel);
    return channel ? channel.messages.filter((m) => m.parentTs === root.ts) : [];
  }

  function toWire(message: StoredMessage): Record<string, unknown> {
    const wire: Record<string, unknown> = {
      type: "message",
      ...message.fields,
      text: message.text,
      ts: message.ts,
    };
    if (message.user) wire.user = message.user;
    if (message.edited) wire.edited = { ...message.edited };
    if (message.reactions.size > 0) {
      wire.reactions = [...message.reactions].map(([name, who]) => ({
        name,
        users: [...who],
        count: who.length,
      }));
    }
    if (message.parentTs) {
      wire.thread_ts = message.parentTs;
      const parent = find(message.channel, message.parentTs);
      if (parent?.user) wire.parent_user_id = parent.user;
      return wire;
    }
    const replies = repliesOf(message);
    const last = replies.at(-1);
    if (last) {
      const replyUsers = [...new Set(replies.flatMap((r) => (r.user ? [r.user] : [])))];
      Object.assign(wire, {
        thread_ts: message.ts,
        reply_count: replies.length,
        reply_users_count: replyUsers.length,
        latest_reply: last.ts,
        reply_users: replyUsers.slice(0, 5),
        is_locked: false,
        subscribed: false,
      });
    }
    return wire;
  }

  return {
    teamId: options.teamId,
    teamName: options.teamName,
    bot,
    get version() {
      return version;
    },
    onChange(listener: () => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    changed,
    getUser: (id: string) => users.get(id),

    /** The user, registered with a default profile on first use. */
    ensureUser(id: string): EmulatorUser {
      const existing = users.get(id);
      if (existing) return existing;
      const user: EmulatorUser = { id, name: id.toLowerCase() };
      users.set(id, user);
      changed();
      return user;
    },
    listUsers: () => [...users.values()],
    getChannel: (id: string) => channels.get(id),
    listChannels: () => [...channels.values()],

    /** The channel, created on first use for well-formed C/G/D ids. */
    ensureChannel(id: string): StoredChannel {
      const existing = channels.get(id);
      if (existing) return existing;
      if (!/^[CGD][A-Z0-9]+$/.test(id)) throw new Error(`not a Slack channel id: ${id}`);
      const channel = addChannel(id, id.startsWith("D") ? id : `channel-${id.toLowerCase()}`);
      changed();
      return channel;
    },

    openDm(userId: string): { channel: StoredChannel; created: boolean } {
      for (const channel of channels.values()) {
        if (channel.isIm && channel.imUser === userId) return { channel, created: false };
      }
      const id = options.ids.dmChannelId();
      const channel = addChannel(id, id, true, userId);
      changed();
      return { channel, created: true };
    },

    find,

    /** The thread a message belongs to: its root followed by the replies, oldest first. */
    threadOf(message: StoredMessage): StoredMessage[] {
      const root = message.parentTs ? find(message.channel, message.parentTs) : message;
      return root ? [root, ...repliesOf(root)] : [message];
    },

    topLevel(channelId: string): StoredMessage[] {
      return channels.get(channelId)?.messages.filter((m) => !m.parentTs) ?? [];
    },

    add(input: NewMessage): StoredMessage {
      const channel = channels.get(input.channel);
      if (!channel) throw new Error(`unknown channel ${input.channel}`);
      const parent = input.threadTs ? find(input.channel, input.threadTs) : undefined;
      const fields: Record<string, unknown> = input.bot
        ? {
            bot_id: bot.botId,
            app_id: bot.appId,
            bot_profile: {
              id: bot.botId,
              app_id: bot.appId,
              user_id: bot.userId,
              name: bot.name,
              icons: {},
              deleted: false,
              updated: Math.floor(now() / 1000),
              team_id: options.teamId,
            },
          }
        : {};
      const message: StoredMessage = {
        channel: input.channel,
        ts: tsClock.next(),
        // Replies to replies land in the root's thread, as in Slack.
        parentTs: parent ? (parent.parentTs ?? parent.ts) : undefined,
        user: input.bot ? bot.userId : input.user,
        isBot: Boolean(input.bot),
        text: input.text,
        fields: { ...fields, team: options.teamId, ...input.fields },
        reactions: new Map(),
      };
      channel.messages.push(message);
      channel.messages.sort((a, b) => compareTs(a.ts, b.ts));
      changed();
      return message;
    },

    edit(message: StoredMessage, patch: { text?: string; fields?: Record<string, unknown> }) {
      if (patch.text !== undefined) message.text = patch.text;
      if (patch.fields) Object.assign(message.fields, patch.fields);
      message.edited = { user: message.user ?? bot.userId, ts: tsClock.next() };
      changed();
    },

    /** Deletes a message; a root with replies stays as a tombstone, as in Slack. */
    remove(message: StoredMessage): void {
      const channel = channels.get(message.channel);
      if (!channel) return;
      if (!message.parentTs && repliesOf(message).length > 0) {
        message.tombstone = true;
        message.text = "This message was deleted.";
        message.user = "USLACKBOT";
        message.fields = { subtype: "tombstone", hidden: true };
      } else {
        channel.messages = channel.messages.filter((m) => m !== message);
      }
      changed();
    },

    /** Adds or removes a reaction; false when nothing changed. */
    react(message: StoredMessage, name: string, user: string, add: boolean): boolean {
      const who = message.reactions.get(name) ?? [];
      if (add === who.includes(user)) return false;
      const next = add ? [...who, user] : who.filter((u) => u !== user);
      if (next.length > 0) message.reactions.set(name, next);
      else message.reactions.delete(name);
      changed();
      return true;
    },

    toWire,

    /** Everything a restart must keep: users, channels, messages (JSON-safe). */
    snapshot(): WorkspaceSnapshot {
      return {
        v: WORKSPACE_SNAPSHOT_VERSION,
        users: [...users.values()].filter((u) => u.id !== bot.userId),
        channels: [...channels.values()].map((channel) => ({
          ...channel,
          messages: channel.messages.map((m) => ({ ...m, reactions: [...m.reactions] })),
        })),
      };
    },

    /** Replaces the workspace with a snapshot (at start-up, before anyone reads it). */
    restore(saved: WorkspaceSnapshot): void {
      for (const user of saved.users) users.set(user.id, user);
      for (const channel of saved.channels) {
        channels.set(channel.id, {
          ...channel,
          messages: channel.messages.map((m) => ({ ...m, reactions: new Map(m.reactions) })),
        });
      }
      changed();
    },

    toView(message: StoredMessage): EmulatorMessage {
      return {
        channel: message.channel,
        ts: message.ts,
        threadTs: message.parentTs,
        user: message.user,
        text: message.text,
        isBot: message.isBot,
        streaming: message.stream?.state === "streaming",
        ...streamPlanView(message),
        edited: Boolean(message.edited),
        reactions: [...message.reactions].map(([name, who]) => ({ name, users: [...who] })),
        raw: toWire(message),
      };
    },
  };
}

/** A streamed message's plan and tasks, as the state API shows them. */
function streamPlanView(message: StoredMessage): Pick<EmulatorMessage, "plan"> {
  const plan = message.stream
    ? foldStreamChunks(message.stream.chunks, message.stream.taskDisplayMode)
    : undefined;
  return plan ? { plan } : {};
}
