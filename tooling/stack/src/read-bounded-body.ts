import type { IncomingMessage } from "node:http";

/**
 * The whole request body; past `maxBytes` the request is destroyed with `tooLargeMessage`,
 * so the promise rejects instead of buffering a runaway client.
 */
export function readBoundedBody(
  request: IncomingMessage,
  maxBytes: number,
  tooLargeMessage: string,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) request.destroy(new Error(tooLargeMessage));
      else chunks.push(chunk);
    });
    request.once("end", () => resolve(Buffer.concat(chunks)));
    request.once("error", reject);
  });
}
