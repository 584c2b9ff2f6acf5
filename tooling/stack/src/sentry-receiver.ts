import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { readBoundedBody } from "./read-bounded-body";
import {
  decodeBody,
  parseEnvelope,
  type SentryEnvelope,
  type SentryEvent,
} from "./sentry-envelope";
import { waitUntil } from "./wait-until";

const HOST = "127.0.0.1";
const ENVELOPE_PATH = /^\/api\/([^/]+)\/envelope\/?$/;
/** Sentry refuses larger envelopes too. */
const MAX_BODY_BYTES = 20 * 1024 * 1024;

export interface SentryReceiverOptions {
  /** The DSN's project id (default "1"). */
  project?: string;
}

export interface SentryReceiverHandle {
  readonly url: string;
  readonly port: number;
  /** `http://<key>@127.0.0.1:<port>/<project>`: what SENTRY_DSN is set to. */
  readonly dsn: string;
  /** Every envelope received, parsed, oldest first. */
  envelopes(): SentryEnvelope[];
  /** The error events among them. */
  events(): SentryEvent[];
  /** Every request body as received after decompression (including unparseable ones). */
  rawBodies(): string[];
  /** Resolves with the first event (already received or arriving later) the predicate accepts. */
  waitForEvent(
    predicate: (event: SentryEvent) => boolean,
    timeoutMs?: number,
  ): Promise<SentryEvent>;
  stop(): Promise<void>;
}

/**
 * A loopback stand-in for Sentry's ingestion endpoint: accepts envelopes
 * (`POST /api/<project>/envelope/`, gzip or not), keeps them parsed and raw, answers 200.
 */
export async function startSentryReceiver(
  options: SentryReceiverOptions = {},
): Promise<SentryReceiverHandle> {
  const project = options.project ?? "1";
  const key = randomBytes(16).toString("hex");
  const envelopes: SentryEnvelope[] = [];
  const raw: string[] = [];

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? "/", "http://receiver.invalid").pathname;
    const body = await readBoundedBody(request, MAX_BODY_BYTES, "envelope too large");
    let decoded: Buffer;
    try {
      decoded = decodeBody(body, request.headers["content-encoding"]);
    } catch {
      decoded = body;
    }
    raw.push(decoded.toString("utf8"));
    if (request.method !== "POST" || ENVELOPE_PATH.exec(path)?.[1] !== project) {
      response.writeHead(404, { "content-type": "application/json" }).end('{"detail":"not found"}');
      return;
    }
    try {
      envelopes.push(parseEnvelope(decoded));
    } catch {
      response.writeHead(400, { "content-type": "application/json" }).end('{"detail":"bad"}');
      return;
    }
    response.writeHead(200, { "content-type": "application/json" }).end("{}");
  }

  const server = createServer((request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent) response.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, HOST, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  const events = () =>
    envelopes.flatMap((envelope) =>
      envelope.items
        .filter((item) => item.header.type === "event" && typeof item.payload === "object")
        .map((item) => item.payload as SentryEvent),
    );

  return {
    url: `http://${HOST}:${port}`,
    port,
    dsn: `http://${key}@${HOST}:${port}/${project}`,
    envelopes: () => [...envelopes],
    events,
    rawBodies: () => [...raw],
    waitForEvent: (predicate, timeoutMs = 15_000) =>
      waitUntil(() => events().find(predicate), {
        what: "a matching Sentry event",
        timeoutMs,
        describe: () => `events so far: ${JSON.stringify(events().map((e) => e.tags ?? {}))}`,
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
