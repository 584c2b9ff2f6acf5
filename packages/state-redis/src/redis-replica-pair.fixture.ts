// Test fixture: a real primary with one real replica, both redis-server processes on loopback.
import { type RedisServerHandle, startRedisServer } from "@baton/testing";
import Redis from "ioredis";

/** A fresh replica syncs in well under a second; a loaded 2-core box can take a few. */
export const REPLICA_LINK_TIMEOUT_MS = 15_000;
const LINK_POLL_MS = 20;
const LINK_PROBE_KEY = "fixture:link-probe";

export interface ReplicaPair {
  primary: RedisServerHandle;
  replica: RedisServerHandle;
  /** A plain client of the primary, for inspection (INFO, CONFIG RESETSTAT, CLIENT KILL). */
  primaryAdmin: Redis;
  /** A plain client of the replica, for reading what reached it. */
  replicaAdmin: Redis;
  /** Resolves once the replica is linked and acknowledges the primary's writes. */
  waitForLink(): Promise<void>;
  /** How often WAIT ran on the primary since the last resetStats(). */
  waitCalls(): Promise<number>;
  resetStats(): Promise<void>;
  stop(): Promise<void>;
}

function adminClient(server: RedisServerHandle): Redis {
  const client = new Redis(server.url, { maxRetriesPerRequest: 1, enableOfflineQueue: true });
  client.on("error", () => {}); // the replica is stopped and restarted on purpose
  return client;
}

export async function startReplicaPair(): Promise<ReplicaPair> {
  // Diskless sync starts 5 s after a replica asks by default (to batch replicas): not here.
  const primary = await startRedisServer({ extraArgs: ["--repl-diskless-sync-delay", "0"] });
  let replica: RedisServerHandle | undefined;
  const admins: Redis[] = [];
  try {
    replica = await startRedisServer({
      extraArgs: ["--replicaof", primary.host, `${primary.port}`],
    });
    const primaryAdmin = adminClient(primary);
    const replicaAdmin = adminClient(replica);
    admins.push(primaryAdmin, replicaAdmin);
    const linkedReplica = replica;
    const pair: ReplicaPair = {
      primary,
      replica: linkedReplica,
      primaryAdmin,
      replicaAdmin,
      async waitForLink() {
        const deadline = Date.now() + REPLICA_LINK_TIMEOUT_MS;
        for (;;) {
          const [onReplica, onPrimary] = await Promise.all([
            replicaAdmin.info("replication").catch(() => ""),
            primaryAdmin.info("replication"),
          ]);
          // After a (diskless) sync the primary streams writes to the replica only once the
          // replica sent its first ACK (its once-a-second cron): until then WAIT gets nothing.
          if (
            onReplica.includes("master_link_status:up") &&
            onPrimary.includes("state=online") &&
            (await primaryAdmin
              .set(LINK_PROBE_KEY, Date.now())
              .then(() => primaryAdmin.wait(1, LINK_POLL_MS))) >= 1
          )
            return;
          if (Date.now() > deadline) throw new Error(`replica not linked:\n${onReplica}`);
          await new Promise((resolve) => setTimeout(resolve, LINK_POLL_MS));
        }
      },
      async waitCalls() {
        const stats = await primaryAdmin.info("commandstats");
        return Number(/cmdstat_wait:calls=(\d+)/.exec(stats)?.[1] ?? 0);
      },
      async resetStats() {
        await primaryAdmin.config("RESETSTAT");
      },
      async stop() {
        for (const admin of admins) admin.disconnect();
        await Promise.all([linkedReplica.stop(), primary.stop()]);
      },
    };
    await pair.waitForLink();
    return pair;
  } catch (error) {
    for (const admin of admins) admin.disconnect();
    await Promise.all([replica?.stop(), primary.stop()]);
    throw error;
  }
}
