import autocannon from "autocannon";
import type { PreparedRequest } from "./signed-callbacks";

/** Seconds one request may take before autocannon counts a timeout (the server never should). */
const REQUEST_TIMEOUT_S = 30;
/** Failed responses whose bodies are kept for the report. */
const KEPT_FAILURES = 5;

export type LoadLength = { amount: number } | { durationS: number };

export interface LoadOptions {
  baseUrl: string;
  connections: number;
  length: LoadLength;
  /** The next request to send; called once per request. */
  next(): PreparedRequest;
}

export interface LoadResult {
  connections: number;
  /** Responses received. */
  requests: number;
  durationS: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  statusCounts: Record<string, number>;
  non200: number;
  /** Connection errors and timeouts: requests that got no answer. */
  errors: number;
  timeouts: number;
  /** A few non-200 answers, `status body`. */
  failureSamples: string[];
}

/** One autocannon run at a fixed concurrency: every request built by `next()`. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const failureSamples: string[] = [];
  // autocannon reports whole seconds, and with `amount` it only finishes on its next 1 s tick:
  // up to a second of idle tail, 14 % of a 7 s run. Timed here, first request to last answer.
  let firstSentAt: number | undefined;
  let lastAnsweredAt = 0;
  const result = await autocannon({
    url: options.baseUrl,
    connections: options.connections,
    pipelining: 1,
    timeout: REQUEST_TIMEOUT_S,
    ...("amount" in options.length
      ? { amount: options.length.amount }
      : { duration: options.length.durationS }),
    requests: [
      {
        method: "POST",
        setupRequest: (request) => {
          firstSentAt ??= performance.now();
          const prepared = options.next();
          return {
            ...request,
            path: prepared.path,
            headers: prepared.headers,
            body: prepared.body,
          };
        },
        onResponse: (status, body) => {
          lastAnsweredAt = performance.now();
          if (status !== 200 && failureSamples.length < KEPT_FAILURES) {
            failureSamples.push(`${status} ${body.slice(0, 200)}`);
          }
        },
      },
    ],
  });
  const statusCounts: Record<string, number> = {};
  for (const [status, stat] of Object.entries(result.statusCodeStats ?? {})) {
    statusCounts[status] = stat.count ?? 0;
  }
  const requests = Object.values(statusCounts).reduce((sum, count) => sum + count, 0);
  const timed = firstSentAt !== undefined && lastAnsweredAt > firstSentAt;
  const durationS = timed ? (lastAnsweredAt - (firstSentAt ?? 0)) / 1000 : result.duration;
  return {
    connections: options.connections,
    requests,
    durationS,
    rps: requests / durationS,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    statusCounts,
    non200: requests - (statusCounts["200"] ?? 0),
    errors: result.errors,
    timeouts: result.timeouts,
    failureSamples,
  };
}
