/**
 * Every Redis command one `completed` callback costs, in order, as the server sends them: the
 * route's answer and the work it does after answering (Next's `after()`), on the production
 * build against a real redis-server (`MONITOR`). Where `callback-throughput` counts commands per
 * callback under load, this names them, with their keys reduced to key families.
 *
 *   pnpm --filter @baton/bench callback-commands
 *
 * Two callbacks run first (the server's connections and scripts warm up), then one is traced.
 */
import { spawn } from "node:child_process";
import { prepareCallbackBatch } from "./callback-load/callback-batch";
import { startStackForBenchmark } from "./callback-load/stack-args";
import { printTable, writeResults } from "./results";

const WARMUP_CALLBACKS = 2;
/** Long enough for the work after the answer (timeline, hand-off) to reach the store. */
const SETTLE_MS = 1_500;

const log = (line: string) => console.log(`[callback-commands] ${line}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface TracedCommand {
  /** Epoch milliseconds, as redis-server stamped it. */
  atMs: number;
  client: string;
  command: string;
  keyFamily: string;
}

/** `1712345678.123456 [0 127.0.0.1:50000] "GET" "bot-request:…"` → its parts. */
const MONITOR_LINE = /^(\d+\.\d+) \[\d+ ([^\]]+)\] "([^"]+)"(?: "((?:[^"\\]|\\.)*)")?/;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

function keyFamily(command: string, firstArg: string | undefined): string {
  if (firstArg === undefined) return "";
  // EVALSHA's first argument is the script; its keys follow. The family of the script is enough.
  if (command === "EVALSHA" || command === "EVAL") return `script ${firstArg.slice(0, 8)}`;
  return firstArg
    .replace(UUID, "{id}")
    .replace(/\d{10}\.\d{6}/g, "{ts}")
    .replace(/C0BENCH[0-9A-Z]+/g, "{channel}");
}

async function traceCommands(port: number, during: () => Promise<void>): Promise<TracedCommand[]> {
  const monitor = spawn("redis-cli", ["-p", String(port), "MONITOR"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let output = "";
  monitor.stdout.setEncoding("utf8");
  monitor.stdout.on("data", (chunk: string) => {
    output += chunk;
  });
  for (let i = 0; i < 100 && !output.startsWith("OK"); i++) await sleep(20);
  if (!output.startsWith("OK")) throw new Error(`redis-cli MONITOR did not start: ${output}`);
  await during();
  monitor.kill("SIGINT");
  await new Promise((resolve) => monitor.once("exit", resolve));
  const traced: TracedCommand[] = [];
  for (const line of output.split("\n")) {
    const match = MONITOR_LINE.exec(line);
    if (!match) continue;
    const [, at, client = "", command = "", firstArg] = match;
    const upper = command.toUpperCase();
    traced.push({
      atMs: Number(at) * 1000,
      client,
      command: upper,
      keyFamily: keyFamily(upper, firstArg),
    });
  }
  return traced;
}

const { stack } = await startStackForBenchmark({ backend: "redis", emulator: "inline" }, log);
try {
  const port = stack.redis?.port;
  if (port === undefined) throw new Error("the bench stack has no redis-server");
  const batch = await prepareCallbackBatch(stack, WARMUP_CALLBACKS + 1);
  const send = async () => {
    const prepared = batch.next();
    const response = await fetch(`${stack.server.url}${prepared.path}`, {
      method: "POST",
      headers: prepared.headers,
      body: prepared.body,
    });
    const text = await response.text();
    if (response.status !== 200) throw new Error(`callback answered ${response.status}: ${text}`);
    return text;
  };
  for (let i = 0; i < WARMUP_CALLBACKS; i++) await send();
  await sleep(SETTLE_MS);

  let sentAt = 0;
  let answeredAt = 0;
  const traced = await traceCommands(port, async () => {
    sentAt = Date.now();
    await send();
    answeredAt = Date.now();
    await sleep(SETTLE_MS);
  });
  log(`answered in ${answeredAt - sentAt} ms`);
  const rows = traced.map((c, i) => ({
    "#": i + 1,
    "ms since sent": (c.atMs - sentAt).toFixed(2),
    phase: c.atMs <= answeredAt ? "before the answer" : "after the answer",
    client: c.client,
    command: c.command,
    key: c.keyFamily,
  }));
  printTable(rows);
  const count = (phase: string) => rows.filter((r) => r.phase === phase).length;
  const byCommand: Record<string, number> = {};
  for (const c of traced) byCommand[c.command] = (byCommand[c.command] ?? 0) + 1;
  console.log(
    `\n${traced.length} commands (${count("before the answer")} before the answer): ${JSON.stringify(byCommand)}`,
  );
  const path = writeResults("callback-commands", { commands: rows, byCommand });
  console.log(`results: ${path}`);
} finally {
  await stack.stop();
}
