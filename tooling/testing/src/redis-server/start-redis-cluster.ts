import { spawn } from "node:child_process";
import { type RedisServerHandle, startRedisServer } from "./start-redis-server";

/** Forming a cluster (slot assignment + gossip) takes ~1-2 s; allow for a loaded machine. */
export const REDIS_CLUSTER_FORM_TIMEOUT_MS = 30_000;
const CLUSTER_POLL_MS = 100;

export interface RedisClusterOptions {
  /** Number of primaries (no replicas); Redis needs at least 3. */
  primaries?: number;
  binary?: string;
  /** redis-cli, used once to assign the slots. */
  cliBinary?: string;
}

export interface RedisClusterHandle {
  readonly nodes: readonly RedisServerHandle[];
  /** `{ host, port }` of every node, the shape `new Redis.Cluster(...)` takes. */
  readonly startupNodes: readonly { host: string; port: number }[];
  /** Stops every node. */
  stop(): Promise<void>;
}

function run(binary: string, args: readonly string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr.on("data", (chunk) => {
      output += chunk;
    });
    child.once("error", reject);
    child.once("exit", (code) => resolve({ code: code ?? 1, output }));
  });
}

/**
 * Starts a real Redis Cluster of fresh primaries on loopback ports, assigns all slots with
 * `redis-cli --cluster create`, and waits until every node reports `cluster_state:ok`.
 */
export async function startRedisCluster(
  options: RedisClusterOptions = {},
): Promise<RedisClusterHandle> {
  const primaries = options.primaries ?? 3;
  const cli = options.cliBinary ?? "redis-cli";
  const nodes: RedisServerHandle[] = [];
  const stop = async () => {
    await Promise.all(nodes.map((node) => node.stop()));
  };
  try {
    for (let i = 0; i < primaries; i++) {
      nodes.push(
        await startRedisServer({
          binary: options.binary,
          extraArgs: ["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf"],
        }),
      );
    }
    const addresses = nodes.map((node) => `${node.host}:${node.port}`);
    const created = await run(cli, [
      "--cluster",
      "create",
      ...addresses,
      "--cluster-replicas",
      "0",
      "--cluster-yes",
    ]);
    if (created.code !== 0)
      throw new Error(`redis-cli --cluster create failed:\n${created.output}`);

    const deadline = Date.now() + REDIS_CLUSTER_FORM_TIMEOUT_MS;
    for (;;) {
      const states = await Promise.all(
        nodes.map((node) => run(cli, ["-h", node.host, "-p", `${node.port}`, "cluster", "info"])),
      );
      if (states.every((state) => state.output.includes("cluster_state:ok"))) break;
      if (Date.now() > deadline)
        throw new Error("the Redis cluster did not reach cluster_state:ok");
      await new Promise((resolve) => setTimeout(resolve, CLUSTER_POLL_MS));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    nodes,
    startupNodes: nodes.map((node) => ({ host: node.host, port: node.port })),
    stop,
  };
}
