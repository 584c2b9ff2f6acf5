import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Redis from "ioredis";
import { checkRedisBinary } from "./find-redis-binary";
import { getFreePort } from "./free-port";
import { waitForServer } from "./probe-server";
import { trackServerProcess } from "./process-reaper";
import {
  REDIS_HOST,
  REDIS_START_TIMEOUT_MS,
  REDIS_STOP_TIMEOUT_MS,
  type RedisServerHandle,
  startRedisServer,
} from "./start-redis-server";

export const SENTINEL_MASTER_NAME = "mymaster";
/** Sentinels that must agree the primary is down before one of them fails it over. */
export const SENTINEL_QUORUM = 2;
/**
 * A primary silent this long is "subjectively down". Production uses 5-30 s; 1 s keeps a test's
 * failover to a few seconds while staying above a loaded 2-core box's pauses.
 */
export const SENTINEL_DOWN_AFTER_MS = 1_000;
/** Bounds one failover attempt (and the wait before the same primary is failed over again). */
export const SENTINEL_FAILOVER_TIMEOUT_MS = 5_000;
/** Sentinels discover each other and the replica over hello messages every 2 s; allow for load. */
export const SENTINEL_SETTLE_TIMEOUT_MS = 30_000;
/** A failover (detection, vote, promotion, announcement) within this or the helper throws. */
export const SENTINEL_FAILOVER_WAIT_MS = 30_000;
const SENTINELS = 3;
const PORT_ATTEMPTS = 5;
const POLL_MS = 50;

export interface SentinelAddressPair {
  host: string;
  port: number;
}

export type FailoverMode =
  /** `SENTINEL FAILOVER`: a coordinated switch; the old primary becomes a replica of the new one. */
  | "command"
  /** SIGKILL of the primary: the Sentinels detect it (down-after) and vote; the old one stays dead. */
  | "kill";

export interface RedisSentinelGroupHandle {
  readonly name: string;
  /** The Sentinels' addresses, the shape ioredis's `sentinels` option takes. */
  readonly sentinels: readonly SentinelAddressPair[];
  /** Both data nodes, whatever their role now. */
  readonly nodes: readonly RedisServerHandle[];
  /** The data node the Sentinels currently call the primary. */
  primary(): Promise<RedisServerHandle>;
  /** Fails the primary over to the replica and resolves once every Sentinel announces the new one. */
  failover(mode: FailoverMode): Promise<RedisServerHandle>;
  stop(): Promise<void>;
}

interface SentinelProcess extends SentinelAddressPair {
  child: ChildProcess;
  untrack: () => void;
}

function sentinelConfig(port: number, dir: string, primaryPort: number): string {
  return [
    `port ${port}`,
    `bind ${REDIS_HOST}`,
    "daemonize no",
    `dir ${dir}`,
    `logfile ${join(dir, "sentinel.log")}`,
    `sentinel monitor ${SENTINEL_MASTER_NAME} ${REDIS_HOST} ${primaryPort} ${SENTINEL_QUORUM}`,
    `sentinel down-after-milliseconds ${SENTINEL_MASTER_NAME} ${SENTINEL_DOWN_AFTER_MS}`,
    `sentinel failover-timeout ${SENTINEL_MASTER_NAME} ${SENTINEL_FAILOVER_TIMEOUT_MS}`,
    `sentinel parallel-syncs ${SENTINEL_MASTER_NAME} 1`,
    "",
  ].join("\n");
}

async function launchSentinel(binary: string, primaryPort: number): Promise<SentinelProcess> {
  for (let attempt = 1; ; attempt++) {
    const port = await getFreePort(REDIS_HOST);
    // Sentinel rewrites its config file (known peers, epochs), so each one gets its own dir.
    const dir = mkdtempSync(join(tmpdir(), "baton-sentinel-"));
    const configPath = join(dir, "sentinel.conf");
    writeFileSync(configPath, sentinelConfig(port, dir, primaryPort));
    const child = spawn(binary, [configPath], { stdio: "ignore" });
    let spawnError: Error | undefined;
    child.once("error", (error) => {
      spawnError = error;
    });
    const untrack = trackServerProcess(child);
    child.once("exit", () => {
      untrack();
      rmSync(dir, { recursive: true, force: true });
    });
    const gone = () =>
      spawnError !== undefined || child.exitCode !== null || child.signalCode !== null;
    if (await waitForServer(REDIS_HOST, port, child.pid, REDIS_START_TIMEOUT_MS, gone)) {
      return { host: REDIS_HOST, port, child, untrack };
    }
    const log = readLog(dir);
    child.kill("SIGKILL");
    if (attempt >= PORT_ATTEMPTS) {
      throw new Error(`redis-sentinel on port ${port} did not start:\n${log}`);
    }
  }
}

function readLog(dir: string): string {
  try {
    return readFileSync(join(dir, "sentinel.log"), "utf8").trim().split("\n").slice(-20).join("\n");
  } catch {
    return "(no log)";
  }
}

function stopSentinel(sentinel: SentinelProcess): Promise<void> {
  const { child } = sentinel;
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), REDIS_STOP_TIMEOUT_MS);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

function adminClient(address: SentinelAddressPair): Redis {
  const client = new Redis({ ...address, maxRetriesPerRequest: 1, lazyConnect: true });
  client.on("error", () => {}); // nodes die on purpose here; each call's own error is what counts
  return client;
}

async function until<T>(
  what: string,
  timeoutMs: number,
  check: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** `SENTINEL MASTER` answers a flat [field, value, ...] list. */
function fields(reply: unknown): Map<string, string> {
  const list = Array.isArray(reply) ? reply.map(String) : [];
  const map = new Map<string, string>();
  for (let i = 0; i + 1 < list.length; i += 2) map.set(list[i] ?? "", list[i + 1] ?? "");
  return map;
}

/**
 * `SENTINEL FAILOVER` through any Sentinels (asked again while one refuses, e.g. INPROG or
 * NOGOODSLAVE while the last failover settles); resolves with the new primary's port once every
 * Sentinel names it. For tests that hold only the addresses (an app's REDIS_SENTINELS).
 */
export async function failoverThroughSentinels(
  sentinels: readonly SentinelAddressPair[],
  name = SENTINEL_MASTER_NAME,
): Promise<number> {
  const admins = sentinels.map(adminClient);
  try {
    const first = admins[0];
    if (!first) throw new Error("no Sentinels given");
    const before = await masterPort(first, name);
    await until("a Sentinel to accept SENTINEL FAILOVER", SENTINEL_FAILOVER_WAIT_MS, async () =>
      (await first.call("SENTINEL", "FAILOVER", name)) ? true : undefined,
    );
    return await awaitNewPrimary(admins, name, before);
  } finally {
    for (const admin of admins) admin.disconnect();
  }
}

async function masterPort(admin: Redis, name: string): Promise<number> {
  const reply = await admin.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", name);
  return Number(Array.isArray(reply) ? reply[1] : Number.NaN);
}

function awaitNewPrimary(admins: readonly Redis[], name: string, before: number): Promise<number> {
  return until("every Sentinel to announce a new primary", SENTINEL_FAILOVER_WAIT_MS, async () => {
    const ports = await Promise.all(admins.map((admin) => masterPort(admin, name)));
    return ports.every((port) => port === ports[0] && port !== before) ? ports[0] : undefined;
  });
}

/**
 * A Sentinel-managed Redis on loopback: a primary, one replica and three real redis-sentinel
 * processes (quorum 2, 1 s down-after), so a failover takes a few seconds. Resolves once every
 * Sentinel knows the replica and the two other Sentinels, i.e. once a failover can happen.
 */
export async function startRedisSentinelGroup(
  options: { binary?: string; sentinelBinary?: string } = {},
): Promise<RedisSentinelGroupHandle> {
  const sentinelBinary = options.sentinelBinary ?? "redis-sentinel";
  checkRedisBinary(sentinelBinary);
  const nodes: RedisServerHandle[] = [];
  const sentinels: SentinelProcess[] = [];
  const admins: Redis[] = [];
  const stop = async () => {
    for (const admin of admins) admin.disconnect();
    await Promise.all(sentinels.map(stopSentinel));
    await Promise.all(nodes.map((node) => node.stop()));
  };
  try {
    // No diskless-sync delay: a replica (also a demoted primary) resyncs at once.
    const syncArgs = ["--repl-diskless-sync-delay", "0"];
    const first = await startRedisServer({ binary: options.binary, extraArgs: syncArgs });
    nodes.push(first);
    nodes.push(
      await startRedisServer({
        binary: options.binary,
        extraArgs: [...syncArgs, "--replicaof", first.host, `${first.port}`],
      }),
    );
    for (let i = 0; i < SENTINELS; i++)
      sentinels.push(await launchSentinel(sentinelBinary, first.port));
    admins.push(...sentinels.map(adminClient));
    await until(
      "the Sentinels to discover each other and the replica",
      SENTINEL_SETTLE_TIMEOUT_MS,
      async () => {
        const views = await Promise.all(
          admins.map(async (admin) =>
            fields(await admin.call("SENTINEL", "MASTER", SENTINEL_MASTER_NAME)),
          ),
        );
        const ready = views.every(
          (view) =>
            Number(view.get("num-slaves")) >= 1 &&
            Number(view.get("num-other-sentinels")) >= SENTINELS - 1,
        );
        return ready ? true : undefined;
      },
    );
  } catch (error) {
    await stop();
    throw error;
  }

  const primaryPort = (admin: Redis) => masterPort(admin, SENTINEL_MASTER_NAME);
  const nodeOn = (port: number): RedisServerHandle => {
    const node = nodes.find((candidate) => candidate.port === port);
    if (!node) throw new Error(`the Sentinels name an unknown primary on port ${port}`);
    return node;
  };
  const firstAdmin = admins[0] as Redis;

  return {
    name: SENTINEL_MASTER_NAME,
    sentinels: sentinels.map(({ host, port }) => ({ host, port })),
    nodes,
    async primary() {
      return nodeOn(await primaryPort(firstAdmin));
    },
    async failover(mode) {
      const before = await primaryPort(firstAdmin);
      if (mode === "kill") await nodeOn(before).kill("SIGKILL");
      else await firstAdmin.call("SENTINEL", "FAILOVER", SENTINEL_MASTER_NAME);
      const after = await awaitNewPrimary(admins, SENTINEL_MASTER_NAME, before);
      const promoted = nodeOn(after);
      // Announced is not yet writable: wait until the promoted node itself says it is a master.
      await until("the promoted node to take writes", SENTINEL_FAILOVER_WAIT_MS, async () => {
        const admin = adminClient(promoted);
        try {
          const role = (await admin.call("ROLE")) as unknown[];
          return role[0] === "master" ? true : undefined;
        } finally {
          admin.disconnect();
        }
      });
      return promoted;
    },
    stop,
  };
}
