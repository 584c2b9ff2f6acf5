import { Agent, request } from "node:http";

/** One HTTP request exactly as the test wants it on the wire: duplicates, case and framing. */
export interface RawRequest {
  /** Path and query, already percent-encoded as it is to be sent. */
  path: string;
  /** Header lines in order; a name may repeat. Content-Length / Transfer-Encoding are added. */
  headers: ReadonlyArray<readonly [string, string]>;
  body: Buffer;
  /** `content-length`: a truthful Content-Length. `chunked`: none, the body in chunks. */
  framing: "content-length" | "chunked";
}

export interface RawAnswer {
  status: number;
  contentType: string;
  text: string;
}

/** A request that gets no answer in this long is a failure of its own (a hung server). */
export const RAW_REQUEST_TIMEOUT_MS = 15_000;
/** Chunk size for `chunked` bodies: a large body goes out as many chunks. */
const CHUNK_BYTES = 64 * 1024;

/** A keep-alive agent of the test's own: one socket, reused, like an agent's HTTP client. */
export function createRawClient(baseUrl: string) {
  const url = new URL(baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });

  function post(raw: RawRequest): Promise<RawAnswer> {
    // Raw header lines replace Node's defaults: Host must be given (HTTP/1.1 requires it).
    const lines: string[] = ["host", url.host];
    for (const [name, value] of raw.headers) lines.push(name, value);
    if (raw.framing === "content-length") lines.push("content-length", String(raw.body.length));
    else lines.push("transfer-encoding", "chunked");
    return new Promise<RawAnswer>((resolve, reject) => {
      let answered = false;
      const req = request(
        {
          agent,
          host: url.hostname,
          port: url.port,
          method: "POST",
          path: raw.path,
          headers: lines,
          timeout: RAW_REQUEST_TIMEOUT_MS,
        },
        (res) => {
          answered = true;
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("error", reject);
          res.on("end", () =>
            resolve({
              status: res.statusCode ?? 0,
              contentType: String(res.headers["content-type"] ?? ""),
              text: Buffer.concat(chunks).toString("utf8"),
            }),
          );
        },
      );
      req.on("timeout", () => req.destroy(new Error(`no answer in ${RAW_REQUEST_TIMEOUT_MS} ms`)));
      // A server that answers before reading a large body may close while it is still sent.
      req.on("error", (error) => {
        if (!answered) reject(error);
      });
      if (raw.framing === "chunked") {
        for (let at = 0; at < raw.body.length; at += CHUNK_BYTES) {
          req.write(raw.body.subarray(at, at + CHUNK_BYTES));
        }
        req.end();
      } else {
        req.end(raw.body);
      }
    });
  }

  return { post, close: () => agent.destroy() };
}

export type RawClient = ReturnType<typeof createRawClient>;
