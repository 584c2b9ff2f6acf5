import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import {
  createSlackAdapter,
  type SlackAdapter,
  type SlackAdapterConfig,
} from "@chat-adapter/slack";
import { createMemoryState } from "@chat-adapter/state-memory";
import { Chat, ConsoleLogger } from "chat";
import type { SlackEmulator } from "../slack-emulator";

/**
 * Test support: a real Chat SDK bot (Slack adapter + memory state) pointed at the emulator, with
 * its events webhook served by node:http the way a Next.js route would hand it a web Request.
 */

export type SlackBot = Chat<{ slack: SlackAdapter }>;

export interface ChatBotServer {
  bot: SlackBot;
  adapter: SlackAdapter;
  webhookUrl: string;
  /** Waits for every handler passed to waitUntil so far. */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

export interface ChatBotServerOptions {
  emulator: SlackEmulator;
  botToken: string;
  setup: (bot: SlackBot) => void;
  webClientOptions?: SlackAdapterConfig["webClientOptions"];
}

type WebLogLevel = NonNullable<NonNullable<SlackAdapterConfig["webClientOptions"]>["logLevel"]>;

function toHeaders(req: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else if (value !== undefined) headers.set(name, value);
  }
  return headers;
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startChatBotServer(options: ChatBotServerOptions): Promise<ChatBotServer> {
  const { emulator } = options;
  const adapter = createSlackAdapter({
    apiUrl: emulator.apiUrl,
    signingSecret: emulator.signingSecret,
    botToken: options.botToken,
    botUserId: emulator.botUserId,
    userName: "baton",
    logger: new ConsoleLogger("error"),
    webClientOptions: {
      logLevel: "error" as WebLogLevel,
      ...(options.webClientOptions ?? { retryConfig: { retries: 0 }, timeout: 5000 }),
    },
  });
  const bot: SlackBot = new Chat({
    userName: "baton",
    adapters: { slack: adapter },
    state: createMemoryState(),
    logger: "error",
  });
  options.setup(bot);
  await bot.initialize();

  const pending = new Set<Promise<unknown>>();
  const waitUntil = (task: Promise<unknown>) => {
    pending.add(task);
    task.finally(() => pending.delete(task)).catch(() => {});
  };
  const server = createServer((req, res) => {
    void (async () => {
      const body = await readAll(req);
      const request = new Request(`http://127.0.0.1${req.url ?? "/"}`, {
        method: req.method ?? "POST",
        headers: toHeaders(req),
        body: req.method === "GET" || req.method === "HEAD" ? undefined : body,
      });
      const response = await bot.webhooks.slack(request, { waitUntil });
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
    })().catch((error: unknown) => {
      res.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    bot,
    adapter,
    webhookUrl: `http://127.0.0.1:${port}/api/webhooks/slack`,
    async settle() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await bot.shutdown();
    },
  };
}
