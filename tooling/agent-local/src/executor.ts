/**
 * The pluggable part of the agent: what actually produces an answer. The server owns the protocol
 * (ids, sessions, callbacks, cancel); an executor only turns a request into text.
 */
import type { Attachment, DispatchFile, DispatchRequest } from "@baton/agent-protocol";
import type { ProgressUpdate } from "./callback-outbox";
import type { FileRead } from "./dispatch-files";
import type { SessionTurn } from "./session-store";

/** The dispatch as an executor sees it: without the callback target and its signing secret. */
export type ExecutorRequest = Omit<DispatchRequest, "callback">;

export interface ExecutorContext {
  /** Aborted on cancel, on 410 from Baton, at the deadline and at shutdown. Stop promptly. */
  signal: AbortSignal;
  /** Sends a `progress` callback (best effort, in order, before the terminal one). */
  progress(message: string, step?: { step: number; totalSteps: number }): void;
  /** Sends a `progress` callback with a status line, the whole plan and/or a piece of the answer. */
  update(fields: ProgressUpdate): void;
  executionId: string;
  /** Reads a file the dispatch lists, from Baton, with this request's file token. */
  readFile(file: DispatchFile): Promise<FileRead>;
  /** Where this agent serves its own files (`{filesUrl}/{name}`), for attachments. */
  filesUrl: string;
  session: {
    id: string;
    /** This run's turn number in the session, 1 for a new session. */
    turn: number;
    /** Earlier turns of the session, oldest first. */
    priorTurns: readonly SessionTurn[];
  };
}

export interface ExecutorResult {
  /** The answer in Markdown. */
  text: string;
  /** Files Baton fetches and posts with the answer. */
  attachments?: Attachment[];
}

/**
 * Resolve with the answer, or throw an ExecutionError for a `failed` callback with your own code.
 * Anything else thrown becomes `internal_error`. After the signal aborts, the result is ignored.
 */
export interface Executor {
  readonly name: string;
  run(request: ExecutorRequest, context: ExecutorContext): Promise<ExecutorResult>;
}
