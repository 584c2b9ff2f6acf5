import { getFreePort } from "@baton/testing";
import { BATON_HOST, type BatonServerHandle, startBatonServer } from "./baton-server";
import { type RoundRobinProxyHandle, startRoundRobinProxy } from "./round-robin-proxy";

export interface BatonInstancesOptions {
  /** How many Next servers share the backend (default 1). */
  count?: number;
  /** Their configuration, without BATON_PUBLIC_URL (set here: the proxy's, or the only server's). */
  env: Record<string, string>;
}

export interface BatonInstances {
  /** Every instance, each on its own loopback port. */
  readonly servers: readonly BatonServerHandle[];
  /** Where Slack and the agent reach Baton: the round-robin proxy, or the only server. */
  readonly publicUrl: string;
  /** The load balancer in front of several instances; absent with one. */
  readonly proxy: RoundRobinProxyHandle | undefined;
  /** The outputs of every instance, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * One Baton server, or several behind a round-robin proxy: the instances are configured alike
 * (same backend, same secrets) and all announce the proxy as their public URL, so a callback
 * for a request one of them dispatched may reach any of them, as behind a real load balancer.
 */
export async function startBatonInstances(options: BatonInstancesOptions): Promise<BatonInstances> {
  const count = options.count ?? 1;
  if (!Number.isInteger(count) || count < 1) throw new Error(`count must be >= 1, got ${count}`);
  const proxy = count > 1 ? await startRoundRobinProxy() : undefined;
  const servers: BatonServerHandle[] = [];
  const stop = async () => {
    const failures: unknown[] = [];
    for (const server of servers.splice(0)) await server.stop().catch((e) => failures.push(e));
    await proxy?.stop().catch((e) => failures.push(e));
    if (failures.length > 0) throw new AggregateError(failures, "stopping Baton instances failed");
  };
  try {
    if (!proxy) {
      const port = await getFreePort(BATON_HOST);
      const env = { ...options.env, BATON_PUBLIC_URL: `http://${BATON_HOST}:${port}` };
      servers.push(await startBatonServer({ env, port }));
    } else {
      const env = { ...options.env, BATON_PUBLIC_URL: proxy.url };
      const started = await Promise.allSettled(
        Array.from({ length: count }, () => startBatonServer({ env })),
      );
      for (const result of started) if (result.status === "fulfilled") servers.push(result.value);
      const failed = started.find((r): r is PromiseRejectedResult => r.status === "rejected");
      if (failed) throw failed.reason;
      proxy.setTargets(servers.map((server) => server.url));
    }
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
  const first = servers[0] as BatonServerHandle;
  return {
    servers: [...servers],
    publicUrl: proxy?.url ?? first.url,
    proxy,
    output: () =>
      servers.map((server, index) => `[instance ${index}]\n${server.output()}`).join("\n"),
    stop,
  };
}
