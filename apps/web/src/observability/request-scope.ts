import { AsyncLocalStorage } from "node:async_hooks";
import type { Span } from "@opentelemetry/api";

/**
 * What is known about the request a piece of work serves: the labels every log line of it
 * carries (filled in as they become known: a mention learns its botRequestId once stored, a
 * callback learns its thread once the record is read) and its open span, if traced.
 */
export interface RequestScope {
  botRequestId?: string;
  thread?: string;
  platform?: string;
  /** When the work began (performance.now()), for a span created once the id is known. */
  startedAt: number;
  /** The span of this work, once started, and the request it belongs to. */
  span?: { botRequestId: string; span: Span };
  /** The callback answer's outcome (`posted`, `bad_signature`, …), for its metric. */
  outcome?: string;
}

// On globalThis: instrumentation and the routes are separate bundles with separate module
// copies in one process, and the logger must see the scope the routes set.
const holder = globalThis as typeof globalThis & {
  __batonRequestScope?: AsyncLocalStorage<RequestScope>;
};
holder.__batonRequestScope ??= new AsyncLocalStorage<RequestScope>();
const scopes = holder.__batonRequestScope;

export function inRequestScope<T>(scope: RequestScope, work: () => T): T {
  return scopes.run(scope, work);
}

export function currentRequestScope(): RequestScope | undefined {
  return scopes.getStore();
}

/** The labels of the current request, for a log line (only those known). */
export function requestLogFields(): Record<string, string> {
  const scope = scopes.getStore();
  if (!scope) return {};
  const fields: Record<string, string> = {};
  if (scope.botRequestId) fields.botRequestId = scope.botRequestId;
  if (scope.thread) fields.thread = scope.thread;
  if (scope.platform) fields.platform = scope.platform;
  return fields;
}
