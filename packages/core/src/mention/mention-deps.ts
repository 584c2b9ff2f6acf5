import type { DispatchDeps } from "../dispatch/dispatch-deps";

/** What handling a platform message needs, on top of dispatching. */
export interface MentionDeps extends DispatchDeps {
  newId(): string;
  /** Messages that stop the thread's running request. */
  stopWords: readonly string[];
}
