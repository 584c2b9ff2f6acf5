import {
  createRecordingLogger,
  type FailoverMode,
  type RedisSentinelGroupHandle,
  startRedisSentinelGroup,
} from "@baton/testing";
import type Redis from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { createRedisState, type RedisState } from "./create-redis-state";
import { createRedisSentinelClient } from "./redis-sentinel-client";
import { DEFAULT_REPLICA_ACKS } from "./replica-acks";

/** Writers at once, each a sender that retries a refused write until it is acknowledged. */
const WRITERS = 16;
/** Acknowledged writes before the failover, and after it (proof the client found the new primary). */
const WRITES_BEFORE = 400;
const WRITES_AFTER = 200;
const RETRY_DELAY_MS = 50;
const TTL_MS = 10 * 60_000;
/** A realistic value: the stored state of a request is a few KB of markdown and JSON. */
const BODY = `## Build failed\n\n\`\`\`sh\npnpm install --frozen-lockfile --prefer-offline\n\`\`\`\n${"Ünïcode ✓ ".repeat(200)}`;

let group: RedisSentinelGroupHandle | undefined;
let client: Redis | undefined;
let state: RedisState | undefined;

afterEach(async () => {
  await state?.disconnect();
  client?.disconnect();
  await group?.stop();
  state = client = group = undefined;
});

interface Run {
  acknowledged: string[];
  refused: number;
  lost: string[];
}

/**
 * WRITERS senders write distinct keys; a refused write is retried (as Slack and the agent retry a
 * 503). The failover is triggered mid-run; the run ends WRITES_AFTER acknowledgements after it.
 * Then every acknowledged key is read back from whatever is primary now.
 */
async function writeAcrossFailover(s: RedisState, mode: FailoverMode): Promise<Run> {
  const acknowledged: string[] = [];
  let refused = 0;
  let next = 0;
  let failedOverAt: number | undefined;
  const done = () =>
    failedOverAt !== undefined && acknowledged.length >= failedOverAt + WRITES_AFTER;
  const writer = async () => {
    while (!done()) {
      const key = `failover:${next++}`;
      for (;;) {
        try {
          await s.set(key, { key, body: BODY }, TTL_MS);
          acknowledged.push(key);
          break;
        } catch {
          refused++;
          if (done()) return; // never acknowledged: the sender would still be retrying
          await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS));
        }
      }
    }
  };
  const failover = (async () => {
    while (acknowledged.length < WRITES_BEFORE) await new Promise((r) => setTimeout(r, 5));
    const old = await group?.primary();
    await group?.failover(mode);
    failedOverAt = acknowledged.length;
    // A killed primary is restarted (systemd would): Sentinel turns it into a replica of the new
    // one. Until then the promoted node has no replica, so with replicaAcks every write is
    // refused: one replica is no redundancy left after a failover.
    if (mode === "kill") await old?.restart();
  })();
  await Promise.all([failover, ...Array.from({ length: WRITERS }, writer)]);
  const lost: string[] = [];
  for (const key of acknowledged) {
    if ((await s.get<{ key: string }>(key))?.key !== key) lost.push(key);
  }
  return { acknowledged, refused, lost };
}

async function connect(replicaAcks: boolean): Promise<RedisState> {
  group = await startRedisSentinelGroup();
  client = createRedisSentinelClient({ sentinels: [...group.sentinels], name: group.name });
  state = createRedisState({
    client,
    keyPrefix: "sentinel",
    logger: createRecordingLogger(),
    ...(replicaAcks ? { replicaAcks: DEFAULT_REPLICA_ACKS } : {}),
  });
  await state.connect();
  return state;
}

describe.each([
  { mode: "kill", replicaAcks: true },
  { mode: "command", replicaAcks: true },
  { mode: "kill", replicaAcks: false },
] as const)("a Sentinel failover ($mode, replicaAcks $replicaAcks)", ({ mode, replicaAcks }) => {
  it("the client follows the new primary; with replicaAcks no acknowledged write is lost", async () => {
    const s = await connect(replicaAcks);
    const before = await group?.primary();
    const run = await writeAcrossFailover(s, mode);
    const after = await group?.primary();
    console.log(
      `[sentinel ${mode}, replicaAcks ${replicaAcks}] acknowledged ${run.acknowledged.length}, ` +
        `refused (retried) ${run.refused}, acknowledged but lost ${run.lost.length}`,
    );
    expect(after?.port).not.toBe(before?.port);
    // The writes after the failover were acknowledged by the promoted node itself.
    expect(run.acknowledged.length).toBeGreaterThanOrEqual(WRITES_BEFORE + WRITES_AFTER);
    expect((await s.ping()).ok).toBe(true);
    if (replicaAcks) expect(run.lost).toEqual([]);
  }, 60_000);
});
