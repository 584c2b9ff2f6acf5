import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { printTable } from "../results";
import type { BenchStack } from "./bench-stack";
import { prepareCallbackBatch } from "./callback-batch";
import { type MeasuredRun, measuredRun } from "./measured-run";
import type { QuietWait } from "./quiet-machine";
import type { PendingRequest } from "./seed-requests";
import { bareRequestLike, signedCompletedCallback } from "./signed-callbacks";
import type { StackArgs } from "./stack-args";
import { startStackForBenchmark } from "./stack-args";
import { type OutcomeCheck, verifyOutcomes } from "./verify-outcomes";

/** `off`: no metrics token, no OTLP endpoint (the default). `on`: both, spans to a local sink. */
export type TelemetryMode = "off" | "on";

const MODES: readonly TelemetryMode[] = ["off", "on"];
const CONNECTIONS = [16, 64] as const;
const WARMUP_CALLBACKS = 1_500;
const CALLBACKS_PER_LEVEL = 4_000;
const BARE_SECONDS = 8;
const METRICS_TOKEN = "bench-metrics-token-0123456789abcdef0123";

export interface TelemetryModeFigures {
  mode: TelemetryMode;
  runs: MeasuredRun[];
  outcomes: OutcomeCheck;
  /** Spans the sink received (on) and callbacks the metrics route counted (on): proof it was on. */
  spansExported: number;
  callbacksCounted: number;
}

/**
 * The "off costs nothing measurable" check: the same callback load against a server with
 * metrics and tracing off, then on (metrics kept, every span exported over OTLP/HTTP to a sink
 * in this process), in one run, on fresh stacks of the same build.
 */
export async function compareTelemetryModes(
  args: StackArgs,
  quiet: QuietWait,
  log: (line: string) => void,
): Promise<TelemetryModeFigures[]> {
  const sink = await startSpanSink();
  const figures: TelemetryModeFigures[] = [];
  try {
    for (const mode of MODES) {
      const env: Record<string, string> =
        mode === "on"
          ? { BATON_METRICS_TOKEN: METRICS_TOKEN, OTEL_EXPORTER_OTLP_ENDPOINT: sink.url }
          : {};
      const { stack } = await startStackForBenchmark(args, log, env);
      try {
        figures.push(await measureMode(stack, mode, quiet, log, sink));
      } finally {
        await stack.stop();
      }
    }
  } finally {
    await sink.close();
  }
  report(figures);
  return figures;
}

async function measureMode(
  stack: BenchStack,
  mode: TelemetryMode,
  quiet: QuietWait,
  log: (line: string) => void,
  sink: SpanSink,
): Promise<TelemetryModeFigures> {
  const sent: PendingRequest[] = [];
  const callbacks = async (connections: number, count: number) => {
    const batch = await prepareCallbackBatch(stack, count);
    try {
      return await measuredRun(
        stack,
        "callback",
        { connections, length: { amount: batch.size }, next: () => batch.next() },
        quiet,
      );
    } finally {
      sent.push(...batch.sent());
    }
  };
  const spansBefore = sink.spans();
  await callbacks(16, WARMUP_CALLBACKS);
  const runs: MeasuredRun[] = [];
  for (const connections of CONNECTIONS) {
    const bare = bareRequestLike(signedCompletedCallback(stack.serverSecret, STAND_IN));
    const bareRun = await measuredRun(
      stack,
      "bare",
      { connections, length: { durationS: BARE_SECONDS }, next: () => bare },
      quiet,
    );
    const callbackRun = await callbacks(connections, CALLBACKS_PER_LEVEL);
    log(
      `telemetry ${mode} c=${connections}: callback ${callbackRun.rps.toFixed(0)} req/s, bare ${bareRun.rps.toFixed(0)} req/s`,
    );
    runs.push(bareRun, callbackRun);
  }
  const outcomes = await verifyOutcomes(stack.state, stack.emulator, sent);
  return {
    mode,
    runs,
    outcomes,
    spansExported: sink.spans() - spansBefore,
    callbacksCounted: mode === "on" ? await countedCallbacks(stack) : 0,
  };
}

const STAND_IN: PendingRequest = {
  botRequestId: "00000000-0000-4000-8000-000000000000",
  agentSessionId: "sess_00000000-0000-4000-8000-000000000000",
  executionId: "exec_00000000-0000-4000-8000-000000000000",
  channel: "C0BENCH00000",
  threadTs: "0.000000",
};

/** The callbacks the metrics route counted (proof that metrics were on). */
async function countedCallbacks(stack: BenchStack): Promise<number> {
  const response = await fetch(`${stack.server.url}/api/internal/metrics`, {
    headers: { authorization: `Bearer ${METRICS_TOKEN}` },
  });
  const text = await response.text();
  let sum = 0;
  for (const match of text.matchAll(/^baton_callbacks_total\{[^}]*\} (\d+)/gm)) {
    sum += Number(match[1]);
  }
  return sum;
}

function report(figures: TelemetryModeFigures[]): void {
  const rows: Record<string, string | number>[] = [];
  for (const { mode, runs, spansExported, callbacksCounted } of figures) {
    for (const connections of CONNECTIONS) {
      const bare = runs.find((r) => r.route === "bare" && r.connections === connections);
      const callback = runs.find((r) => r.route === "callback" && r.connections === connections);
      if (!bare || !callback) continue;
      rows.push({
        telemetry: mode,
        connections,
        "callback req/s": callback.rps.toFixed(0),
        "bare req/s": bare.rps.toFixed(0),
        "% of bare": `${((callback.rps / bare.rps) * 100).toFixed(0)}%`,
        "server CPU ms/callback": (callback.cpuMsPerRequest.next ?? 0).toFixed(3),
        "p99 ms": callback.p99Ms.toFixed(0),
        "non-200": callback.non200 + callback.errors,
        "spans exported": spansExported,
        "callbacks counted": callbacksCounted,
      });
    }
  }
  console.log("\nTelemetry off vs on (same build, one run):");
  printTable(rows);
}

interface SpanSink {
  url: string;
  /** OTLP export requests received so far. */
  spans(): number;
  close(): Promise<void>;
}

/** Accepts OTLP/HTTP exports and counts their spans, as a collector would, keeping nothing. */
async function startSpanSink(): Promise<SpanSink> {
  let spans = 0;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      spans += text.match(/"spanId"/g)?.length ?? 0;
      response.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    spans: () => spans,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
