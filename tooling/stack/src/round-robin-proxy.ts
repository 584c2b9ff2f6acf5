import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import { readBoundedBody } from "./read-bounded-body";

const HOST = "127.0.0.1";
/** Bodies the stack forwards are webhooks and callbacks (the protocol caps a callback at 1 MiB). */
const MAX_BODY_BYTES = 4 * 1024 * 1024;
/** One forwarded request; a Next instance that takes longer than this is treated as down. */
const UPSTREAM_TIMEOUT_MS = 30_000;
/** Hop-by-hop headers a proxy must not forward (RFC 9110 7.6.1). */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "upgrade",
  "te",
  "trailer",
]);

export interface RoundRobinProxyHandle {
  /** `http://127.0.0.1:{port}`: what BATON_PUBLIC_URL and the Slack events URL point at. */
  readonly url: string;
  readonly port: number;
  /** The instances behind it (base URLs), taken in turn. */
  setTargets(targets: readonly string[]): void;
  /** Requests answered per target, and how many were refused at connect and sent to the next one. */
  stats(): { forwarded: Record<string, number>; failedOver: number; badGateway: number };
  stop(): Promise<void>;
}

/**
 * A loopback load balancer in front of several Baton instances: each request goes to the next
 * instance in turn. A connection that is refused (the instance is down, nothing was sent) is
 * tried on the next instance, as a load balancer's health check would; any other upstream
 * failure (a reset mid-request: the instance may have acted on it) answers 502, and the caller
 * retries as it would against a real one.
 */
export async function startRoundRobinProxy(
  initialTargets: readonly string[] = [],
): Promise<RoundRobinProxyHandle> {
  let targets = [...initialTargets];
  let next = 0;
  const forwarded: Record<string, number> = {};
  let failedOver = 0;
  let badGateway = 0;

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBoundedBody(request, MAX_BODY_BYTES, "body too large");
    const headers = forwardableHeaders(request.headers);
    const count = targets.length;
    for (let tried = 0; tried < count; tried++) {
      const target = targets[next++ % count] as string;
      const outcome = await forward(target, request, headers, body, response);
      if (outcome === "answered") {
        forwarded[target] = (forwarded[target] ?? 0) + 1;
        return;
      }
      if (outcome === "failed") break;
      failedOver++;
    }
    badGateway++;
    if (!response.headersSent) {
      response
        .writeHead(502, { "content-type": "application/json" })
        .end('{"error":{"code":"bad_gateway"}}');
    } else {
      response.destroy();
    }
  }

  const server = createServer((request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent) response.writeHead(500).end();
      else response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, HOST, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://${HOST}:${port}`,
    port,
    setTargets(list) {
      targets = [...list];
    },
    stats: () => ({ forwarded: { ...forwarded }, failedOver, badGateway }),
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * Sends one request to `target` and streams the answer back. "refused": nothing reached the
 * instance (safe to try another); "failed": the instance may have seen the request.
 */
function forward(
  target: string,
  request: IncomingMessage,
  headers: IncomingHttpHeaders,
  body: Buffer,
  response: ServerResponse,
): Promise<"answered" | "refused" | "failed"> {
  const url = new URL(request.url ?? "/", target);
  return new Promise((resolve) => {
    const upstream = httpRequest(
      url,
      {
        method: request.method,
        headers: { ...headers, host: url.host, "content-length": String(body.length) },
        // A new connection per request: a pooled socket to a killed instance would fail after
        // the request was written, which looks like a reset rather than a refusal.
        agent: false,
        timeout: UPSTREAM_TIMEOUT_MS,
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, forwardableHeaders(answer.headers));
        answer.pipe(response);
        answer.once("end", () => resolve("answered"));
        answer.once("error", () => {
          response.destroy();
          resolve("answered");
        });
      },
    );
    upstream.once("timeout", () => upstream.destroy(new Error("upstream timed out")));
    upstream.once("error", (error: NodeJS.ErrnoException) => {
      if (response.headersSent) {
        response.destroy();
        resolve("answered");
        return;
      }
      resolve(error.code === "ECONNREFUSED" ? "refused" : "failed");
    });
    upstream.end(body);
  });
}

function forwardableHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const kept: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name.toLowerCase())) kept[name] = value;
  }
  return kept;
}
