import {
  type BackendDump,
  type BackendInspector,
  type DumpChange,
  diffDumps,
  type LocalStack,
} from "@baton/stack";
import type { Target } from "./hostile-case";

/**
 * Everything a callback could change, seen from outside Baton: every key or row of the store,
 * what the Slack emulator shows and was asked, what the agent was asked, each request's record.
 * Nothing is left out: a hostile request must change none of it.
 */
export interface ObservedState {
  backend: BackendDump;
  /** Every Slack Web API call, chat.postMessage and chat.update included. */
  slackCalls: number;
  postMessages: number;
  /** The threads of the test's requests, every message with its text and edit flag. */
  threads: Record<string, string[]>;
  agentDispatches: number;
  agentCancels: number;
  /** The test's requests' records as the store's reader returns them; absent when not read. */
  records?: Record<string, string>;
}

export interface StateObserver {
  observe(options?: { records?: boolean }): Promise<ObservedState>;
}

export function createStateObserver(
  stack: LocalStack,
  inspector: BackendInspector,
  requests: () => readonly Target[],
): StateObserver {
  return {
    async observe({ records = true } = {}) {
      const backend = await inspector.dump();
      const threads: Record<string, string[]> = {};
      const stored: Record<string, string> | undefined = records ? {} : undefined;
      for (const request of requests()) {
        threads[request.threadTs] = stack
          .replies(request.threadTs)
          .map(
            (m) => `${m.ts} ${m.isBot ? "bot" : "human"}${m.edited ? " edited" : ""}: ${m.text}`,
          );
        if (stored) stored[request.id] = JSON.stringify((await stack.record(request.id)) ?? null);
      }
      return {
        backend,
        slackCalls: stack.slack.calls().length,
        postMessages: stack.slack.calls("chat.postMessage").length,
        threads,
        agentDispatches: stack.agent.dispatches().length,
        agentCancels: stack.agent.cancels().length,
        ...(stored ? { records: stored } : {}),
      };
    },
  };
}

/** Every difference, one line each; empty when nothing changed. */
export function describeChanges(before: ObservedState, after: ObservedState): string[] {
  const lines = diffDumps(before.backend, after.backend).map(describeDumpChange);
  const counters = ["slackCalls", "postMessages", "agentDispatches", "agentCancels"] as const;
  for (const name of counters) {
    if (before[name] !== after[name]) lines.push(`${name}: ${before[name]} -> ${after[name]}`);
  }
  lines.push(...describeMapChanges("thread", before.threads, after.threads));
  if (before.records && after.records) {
    lines.push(...describeMapChanges("record", before.records, after.records));
  }
  return lines;
}

function describeMapChanges(
  what: string,
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): string[] {
  const lines: string[] = [];
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const [was, is] = [JSON.stringify(before[key]), JSON.stringify(after[key])];
    if (was !== is) lines.push(`${what} ${key}: ${was} -> ${is}`);
  }
  return lines;
}

const MAX_SHOWN_CHARS = 300;
const show = (value: unknown) => {
  const text = JSON.stringify(value);
  return text.length > MAX_SHOWN_CHARS ? `${text.slice(0, MAX_SHOWN_CHARS)}…` : text;
};

function describeDumpChange(change: DumpChange): string {
  switch (change.kind) {
    case "added":
      return `store: + ${change.after.key} = ${show(change.after)}`;
    case "removed":
      return `store: - ${change.before.key} (was ${show(change.before)})`;
    case "changed":
      return `store: ~ ${change.before.key}: ${show(change.before)} -> ${show(change.after)}`;
  }
}
