import { createHash, randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { FileStreamError, type FileStreamLimits, limitFileStream } from "./limited-file-stream";

// The byte-cap stream between the platform's file and the agent: every way a download can go
// wrong must fail the reader's stream, never end it early with a shorter file.

const CHUNK = 64 * 1024;
const LIMITS: FileStreamLimits = {
  maxBytes: 1024 * 1024,
  idleTimeoutMs: 1_000,
  totalTimeoutMs: 10_000,
};

/** A platform body: the chunks, then (unless it stalls) its end; counts how often it is pulled. */
function platformBody(chunks: Uint8Array[], options: { stallAfter?: number } = {}) {
  const seen = { pulls: 0, cancelled: undefined as unknown };
  let index = 0;
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        seen.pulls += 1;
        if (options.stallAfter !== undefined && index >= options.stallAfter) {
          await new Promise(() => undefined);
        }
        const next = chunks[index++];
        if (next) controller.enqueue(next);
        else controller.close();
      },
      cancel(reason) {
        seen.cancelled = reason;
      },
    },
    { highWaterMark: 0 },
  );
  return { body, seen };
}

function chunksOf(bytes: Buffer): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += CHUNK) chunks.push(bytes.subarray(at, at + CHUNK));
  return chunks;
}

async function readAll(stream: ReadableStream<Uint8Array>, pauseMs = 0): Promise<Buffer> {
  const reader = stream.getReader();
  const parts: Uint8Array[] = [];
  for (let next = await reader.read(); !next.done; next = await reader.read()) {
    parts.push(next.value);
    if (pauseMs > 0) await sleep(pauseMs);
  }
  return Buffer.concat(parts);
}

async function failureOf(stream: ReadableStream<Uint8Array>): Promise<FileStreamError> {
  const error = await readAll(stream).then(
    (bytes) => new Error(`the stream ended with ${bytes.length} bytes instead of failing`),
    (caught: unknown) => caught,
  );
  if (!(error instanceof FileStreamError)) throw error;
  return error;
}

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

describe("limitFileStream", () => {
  it("passes a file through byte for byte, reading the platform only as the reader asks", async () => {
    const file = randomBytes(LIMITS.maxBytes);
    const { body, seen } = platformBody(chunksOf(file));
    const reader = limitFileStream(body, { ...LIMITS, expectedBytes: file.length }).getReader();
    const first = await reader.read();
    await sleep(50);
    // One read asked for one chunk: nothing was read ahead of the agent, even given time.
    expect([first.value?.byteLength, seen.pulls]).toEqual([CHUNK, 1]);
    const rest: Uint8Array[] = [];
    for (let next = await reader.read(); !next.done; next = await reader.read())
      rest.push(next.value);
    const got = Buffer.concat([first.value ?? new Uint8Array(), ...rest]);
    expect(sha256(got)).toBe(sha256(file));
  });

  it("fails a body without a declared length once it passes the cap, and lets the platform go", async () => {
    const failures: string[] = [];
    const { body, seen } = platformBody(chunksOf(randomBytes(LIMITS.maxBytes + CHUNK)));
    const error = await failureOf(
      limitFileStream(body, { ...LIMITS, onFailure: (e) => failures.push(e.code) }),
    );
    expect([error.code, failures]).toEqual(["file_too_large", ["file_too_large"]]);
    expect(seen.cancelled).toBe(error);
  });

  it("fails a body that runs past its declared length", async () => {
    const { body } = platformBody(chunksOf(randomBytes(3 * CHUNK)));
    const error = await failureOf(limitFileStream(body, { ...LIMITS, expectedBytes: 2 * CHUNK }));
    expect(error.code).toBe("file_too_large");
  });

  it("fails a body that ends before its declared length (no short file is passed on)", async () => {
    const { body } = platformBody(chunksOf(randomBytes(2 * CHUNK)));
    const error = await failureOf(limitFileStream(body, { ...LIMITS, expectedBytes: 3 * CHUNK }));
    expect(error.code).toBe("file_truncated");
  });

  it("fails when the platform stalls mid-body while the reader waits", async () => {
    const { body, seen } = platformBody(chunksOf(randomBytes(4 * CHUNK)), { stallAfter: 2 });
    const started = Date.now();
    const error = await failureOf(limitFileStream(body, { ...LIMITS, idleTimeoutMs: 150 }));
    expect(error.code).toBe("file_stream_stalled");
    expect(Date.now() - started).toBeLessThan(LIMITS.idleTimeoutMs);
    expect(seen.cancelled).toBe(error);
  });

  it("does not count a slow reader as a stalled platform", async () => {
    const file = randomBytes(4 * CHUNK);
    const { body } = platformBody(chunksOf(file));
    const got = await readAll(limitFileStream(body, { ...LIMITS, idleTimeoutMs: 40 }), 120);
    expect(sha256(got)).toBe(sha256(file));
  });

  it("fails a transfer that outlasts its ceiling, however steadily it flows", async () => {
    const { body } = platformBody(chunksOf(randomBytes(8 * CHUNK)));
    const stream = limitFileStream(body, { ...LIMITS, totalTimeoutMs: 200 });
    const error = await readAll(stream, 60).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect((error as FileStreamError | undefined)?.code).toBe("file_stream_timeout");
  });

  it("turns a platform read error into a coded failure", async () => {
    const reset = new Error("read ECONNRESET");
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new Uint8Array(CHUNK));
        controller.error(reset);
      },
    });
    const error = await failureOf(limitFileStream(body, LIMITS));
    expect([error.code, error.cause]).toEqual(["file_stream_failed", reset]);
  });

  it("lets the platform go when the reader hangs up, without calling it a failure", async () => {
    const failures: string[] = [];
    const { body, seen } = platformBody(chunksOf(randomBytes(4 * CHUNK)));
    const reader = limitFileStream(body, {
      ...LIMITS,
      onFailure: (e) => failures.push(e.code),
    }).getReader();
    await reader.read();
    await reader.cancel("agent hung up");
    expect([seen.cancelled, failures]).toEqual(["agent hung up", []]);
  });
});
