/**
 * Serving a user's Slack file to the agent, both ways Baton can: through the adapter's
 * `fetchData()` (the whole file in a Buffer before the first byte goes out) and streamed through
 * Baton's Slack file source and its byte-cap stream. Each way runs in a fresh child process that
 * serves one download over loopback HTTP; this process hosts the file in the Slack emulator and
 * downloads it as an agent would, reading as fast as it can.
 *
 * Printed per way, size and downloads at once: time to the (slowest download's) first body byte,
 * total time, and the serving process's peak RSS growth (VmHWM after minus before). Figures, not
 * assertions. The adapter's own download limit (25 MiB in @chat-adapter/shared 4.41) refuses the
 * buffered way beyond it.
 *
 *   pnpm --filter @baton/bench file-serving
 */
import { fork } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import {
  createApiOriginFileTransport,
  FILE_STREAM_IDLE_TIMEOUT_MS,
  FILE_STREAM_TOTAL_TIMEOUT_MS,
  limitFileStream,
} from "@baton/core";
import { createFixtureSlackEmulator, FIXTURE_WORKSPACE } from "@baton/testing";
import { createSlackAdapter } from "@chat-adapter/slack";
// The app's own Slack file source, as the route uses it (the bench is not a dependent of the app).
import { createSlackFileSource } from "../../../apps/web/src/slack-file-source";
import { printTable, writeResults } from "./results";

type Way = "buffered" | "streamed";
interface ChildAsk {
  way: Way;
  /** Downloads served at once; the peak is reported after the last. */
  parallel: number;
  apiUrl: string;
  fileUrl: string;
  maxBytes: number;
}
interface ChildReport {
  port: number;
}
interface ChildPeak {
  baselineHwmKb: number;
  peakHwmKb: number;
  error?: string;
}

/** File size and downloads at once. */
const CASES = [
  { size: 5 * 1024 * 1024, parallel: 1 },
  { size: 20 * 1024 * 1024, parallel: 1 },
  { size: 20 * 1024 * 1024, parallel: 4 },
  { size: 50_000_000, parallel: 1 },
  { size: 100_000_000, parallel: 1 },
];
const MAX_BYTES = 128 * 1024 * 1024;

function hwmKb(): number {
  const line = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
  return Number(line?.[1] ?? 0);
}

/** The serving side: one download, one way; reports its peak memory when done. */
async function child(ask: ChildAsk): Promise<void> {
  const adapter = createSlackAdapter({
    botToken: FIXTURE_WORKSPACE.botToken,
    signingSecret: FIXTURE_WORKSPACE.signingSecret,
    botUserId: FIXTURE_WORKSPACE.botUserId,
    apiUrl: ask.apiUrl,
    fileTransport: createApiOriginFileTransport(ask.apiUrl),
  });
  const source = createSlackFileSource({
    tokenFor: async () => FIXTURE_WORKSPACE.botToken,
    apiUrl: ask.apiUrl,
    transport: createApiOriginFileTransport(ask.apiUrl),
  });
  const attachment = {
    type: "file" as const,
    url: ask.fileUrl,
    fetchMetadata: { url: ask.fileUrl },
  };
  // Warm both code paths' modules and the heap before the baseline.
  global.gc?.();
  let baselineHwmKb = 0;
  let served = 0;
  const server = createServer(async (_req, res) => {
    try {
      if (ask.way === "buffered") {
        const fetchData = adapter.rehydrateAttachment(attachment).fetchData;
        if (!fetchData) throw new Error("no fetchData");
        const bytes = await fetchData();
        res.writeHead(200, { "content-type": "application/octet-stream" });
        res.end(bytes);
      } else {
        const opened = await source.open({
          platform: "slack",
          threadId: `slack:${FIXTURE_WORKSPACE.channel.id}:1.1`,
          attachment,
          signal: new AbortController().signal,
          maxBytes: ask.maxBytes,
        });
        if (opened.kind !== "stream") throw new Error(`not opened: ${opened.kind}`);
        const body = limitFileStream(opened.body, {
          maxBytes: ask.maxBytes,
          expectedBytes: opened.size,
          idleTimeoutMs: FILE_STREAM_IDLE_TIMEOUT_MS,
          totalTimeoutMs: FILE_STREAM_TOTAL_TIMEOUT_MS,
        });
        res.writeHead(200, { "content-type": "application/octet-stream" });
        const reader = body.getReader();
        for (let next = await reader.read(); !next.done; next = await reader.read()) {
          // Respect the agent's pace, as Next's pipe does.
          if (!res.write(next.value)) await new Promise((r) => res.once("drain", r));
        }
        res.end();
      }
      res.on("finish", () => {
        served += 1;
        if (served === ask.parallel) {
          process.send?.({ baselineHwmKb, peakHwmKb: hwmKb() } satisfies ChildPeak);
        }
      });
    } catch (error) {
      res.destroy();
      process.send?.({
        baselineHwmKb,
        peakHwmKb: hwmKb(),
        error: error instanceof Error ? error.message.slice(0, 120) : String(error),
      } satisfies ChildPeak);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baselineHwmKb = hwmKb();
  process.send?.({ port: (server.address() as AddressInfo).port } satisfies ChildReport);
}

async function measure(
  way: Way,
  parallel: number,
  apiUrl: string,
  fileUrl: string,
  expected: string,
) {
  const worker = fork(fileURLToPath(import.meta.url), ["child"], {
    execArgv: ["--import", "tsx", "--expose-gc"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const messages: unknown[] = [];
  const next = () =>
    new Promise<unknown>((resolve, reject) => {
      const take = () => (messages.length > 0 ? resolve(messages.shift()) : undefined);
      worker.once("message", (m) => {
        messages.push(m);
        take();
      });
      worker.once("exit", (code) => reject(new Error(`child exited ${code}`)));
      take();
    });
  worker.send({ way, parallel, apiUrl, fileUrl, maxBytes: MAX_BYTES } satisfies ChildAsk);
  const { port } = (await next()) as ChildReport;
  const started = performance.now();
  const download = async () => {
    const hash = createHash("sha256");
    let firstByteMs: number | undefined;
    try {
      const response = await fetch(`http://127.0.0.1:${port}/`);
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
        firstByteMs ??= performance.now() - started;
        hash.update(chunk.value);
      }
      return { firstByteMs, identical: hash.digest("hex") === expected, failed: undefined };
    } catch (error) {
      const failed = error instanceof Error ? error.message : String(error);
      return { firstByteMs, identical: false, failed };
    }
  };
  const downloads = await Promise.all(Array.from({ length: parallel }, download));
  const totalMs = performance.now() - started;
  const peak = (await next()) as ChildPeak;
  worker.kill();
  const firsts = downloads.map((d) => d.firstByteMs ?? Number.NaN);
  const firstByteMs = Math.max(...firsts);
  const failed = downloads.find((d) => d.failed)?.failed;
  return {
    way,
    parallel,
    identical: downloads.every((d) => d.identical),
    /** The slowest download's first byte. */
    firstByteMs: Number.isNaN(firstByteMs) ? null : Math.round(firstByteMs * 10) / 10,
    totalMs: Math.round(totalMs),
    peakRssGrowthMb: Math.round(((peak.peakHwmKb - peak.baselineHwmKb) / 1024) * 10) / 10,
    error: peak.error ?? failed ?? null,
  };
}

async function main(): Promise<void> {
  const emulator = createFixtureSlackEmulator();
  await emulator.start();
  const rows: Record<string, string | number>[] = [];
  const figures: unknown[] = [];
  try {
    for (const [index, { size, parallel }] of CASES.entries()) {
      const bytes = randomBytes(size);
      const id = `F0BENCH0${index}`;
      const name = `capture-${index}.bin`;
      // No webhook is configured: the mention only hosts the file, as a user's share would.
      await emulator
        .mention({
          channel: FIXTURE_WORKSPACE.channel.id,
          user: FIXTURE_WORKSPACE.human.id,
          text: "capture",
          files: [{ id, name, mimetype: "application/octet-stream", size: 0, content: bytes }],
        })
        .catch(() => undefined);
      const fileUrl = `https://files.slack.com/files-pri/${FIXTURE_WORKSPACE.teamId}-${id}/${name}`;
      const expected = createHash("sha256").update(bytes).digest("hex");
      for (const way of ["buffered", "streamed"] as const) {
        const result = await measure(way, parallel, emulator.apiUrl, fileUrl, expected);
        figures.push({ sizeBytes: size, ...result });
        rows.push({
          size: `${(size / 1_000_000).toFixed(1)} MB`,
          way,
          "at once": parallel,
          "first byte ms": result.firstByteMs ?? "-",
          "total ms": result.totalMs,
          "peak RSS growth MB": result.peakRssGrowthMb,
          identical: String(result.identical),
          error: result.error ?? "",
        });
      }
    }
  } finally {
    await emulator.stop();
  }
  printTable(rows);
  console.log(`\nresults: ${writeResults("file-serving", figures)}`);
}

if (process.argv[2] === "child") {
  // The measuring process gone (finished or crashed), this one goes too.
  process.once("disconnect", () => process.exit(0));
  process.once("message", (ask) => {
    void child(ask as ChildAsk);
  });
} else {
  await main();
}
