import { AsyncResource } from "node:async_hooks";

/**
 * The async context of server start-up, captured once by instrumentation. Timers armed inside it
 * carry no request's context (AsyncLocalStorage: Sentry's scopes, the webhook acknowledgement),
 * whichever request first builds Baton. Kept on globalThis: instrumentation and the routes are
 * separate bundles with separate module copies, one process.
 */
const holder = globalThis as typeof globalThis & { __batonStartupContext?: AsyncResource };

export function captureStartupContext(): void {
  holder.__batonStartupContext ??= new AsyncResource("baton-startup");
}

/** Runs `work` in the start-up context (as is, when nothing was captured: e.g. in a unit test). */
export function inStartupContext<T>(work: () => T): T {
  const startup = holder.__batonStartupContext;
  return startup ? startup.runInAsyncScope(work) : work();
}
