import { CodedError } from "../errors";

/** Why a file's bytes stopped flowing before their end. */
export type FileStreamFailureCode =
  /** More bytes came than the cap allows (the platform sent no length, or lied about it). */
  | "file_too_large"
  /** The body ended before the length the platform declared: a short file is never passed on. */
  | "file_truncated"
  /** The platform sent nothing for the idle timeout while the reader waited for bytes. */
  | "file_stream_stalled"
  /** The whole transfer took longer than its ceiling. */
  | "file_stream_timeout"
  /** Reading from the platform failed (connection reset, bad encoding). */
  | "file_stream_failed";

/** The error a limited file stream fails with; the reader's download fails visibly with it. */
export class FileStreamError extends CodedError<FileStreamFailureCode> {}

export interface FileStreamLimits {
  maxBytes: number;
  /** The length the platform declared (Content-Length), when it declared one. */
  expectedBytes?: number | undefined;
  /** Longest wait for the platform's next bytes while the reader is waiting for them. */
  idleTimeoutMs: number;
  /** Longest the whole transfer may take, however steadily it flows. */
  totalTimeoutMs: number;
  /** Told once when the stream fails (not when the reader cancels it), before the reader is. */
  onFailure?: (error: FileStreamError) => void;
}

/**
 * Passes a platform file's bytes through as they come, one chunk at a time, and fails the stream
 * (never ends it early) when the cap is passed, the platform stalls or the transfer overruns:
 * an agent's download then fails instead of receiving a silently shortened file. The source is
 * read only when the reader asks (backpressure), so a slow agent holds at most a chunk or two in
 * memory, and waiting on a slow agent never counts as the platform stalling.
 */
export function limitFileStream(
  source: ReadableStream<Uint8Array>,
  limits: FileStreamLimits,
): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  let received = 0;
  let settled = false;
  let totalTimer: ReturnType<typeof setTimeout> | undefined;
  let idleTimer: ReturnType<typeof setTimeout> | undefined;
  let wakeIdle: ((error: FileStreamError) => void) | undefined;

  const stopTimers = () => {
    clearTimeout(totalTimer);
    clearTimeout(idleTimer);
  };
  const fail = (
    controller: ReadableStreamDefaultController<Uint8Array>,
    error: FileStreamError,
  ) => {
    if (settled) return;
    settled = true;
    stopTimers();
    limits.onFailure?.(error);
    controller.error(error);
    // The platform's connection is released at once, not when it would have finished.
    reader.cancel(error).catch(() => undefined);
  };

  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        totalTimer = setTimeout(() => {
          const error = new FileStreamError(
            "file_stream_timeout",
            `the file took longer than ${limits.totalTimeoutMs} ms to transfer`,
          );
          wakeIdle?.(error);
          fail(controller, error);
        }, limits.totalTimeoutMs);
      },
      async pull(controller) {
        let result: Awaited<ReturnType<typeof reader.read>>;
        try {
          result = await Promise.race([
            reader.read(),
            new Promise<never>((_, reject) => {
              wakeIdle = reject;
              idleTimer = setTimeout(
                () =>
                  reject(
                    new FileStreamError(
                      "file_stream_stalled",
                      `the platform sent nothing for ${limits.idleTimeoutMs} ms`,
                    ),
                  ),
                limits.idleTimeoutMs,
              );
            }),
          ]);
        } catch (error) {
          fail(
            controller,
            error instanceof FileStreamError
              ? error
              : new FileStreamError("file_stream_failed", describe(error), { cause: error }),
          );
          return;
        } finally {
          clearTimeout(idleTimer);
          wakeIdle = undefined;
        }
        if (settled) return;
        if (result.done) {
          if (limits.expectedBytes !== undefined && received < limits.expectedBytes) {
            fail(
              controller,
              new FileStreamError(
                "file_truncated",
                `the body ended after ${received} of ${limits.expectedBytes} bytes`,
              ),
            );
            return;
          }
          settled = true;
          stopTimers();
          controller.close();
          return;
        }
        received += result.value.byteLength;
        if (received > limits.maxBytes) {
          fail(
            controller,
            new FileStreamError("file_too_large", `the body passed ${limits.maxBytes} bytes`),
          );
          return;
        }
        if (limits.expectedBytes !== undefined && received > limits.expectedBytes) {
          fail(
            controller,
            new FileStreamError(
              "file_too_large",
              `the body passed its declared ${limits.expectedBytes} bytes`,
            ),
          );
          return;
        }
        controller.enqueue(result.value);
      },
      cancel(reason) {
        // The reader went away (the agent hung up): nothing failed, the platform is let go.
        settled = true;
        stopTimers();
        return reader.cancel(reason);
      },
    },
    // No read-ahead beyond what the reader asks for: memory stays at a chunk per download.
    { highWaterMark: 0 },
  );
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message.slice(0, 200) : "the platform's stream failed";
}
