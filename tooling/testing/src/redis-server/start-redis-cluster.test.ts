import Redis from "ioredis";
import { describe, expect, it } from "vitest";
import { pingOnce } from "./probe-server";
import { startRedisCluster } from "./start-redis-cluster";

describe("startRedisCluster", () => {
  it("forms a cluster whose slots serve keys on every primary, and stops every node", async () => {
    const cluster = await startRedisCluster();
    const client = new Redis.Cluster([...cluster.startupNodes]);
    try {
      expect(cluster.nodes).toHaveLength(3);
      const keys = Array.from({ length: 30 }, (_, i) => `key-${i}`);
      for (const key of keys) await client.set(key, key);
      for (const key of keys) expect(await client.get(key)).toBe(key);
      const perNode = await Promise.all(
        cluster.nodes.map(async (node) => {
          const direct = new Redis(node.url);
          try {
            return await direct.dbsize();
          } finally {
            direct.disconnect();
          }
        }),
      );
      expect(perNode.every((count) => count > 0)).toBe(true);
      expect(perNode.reduce((a, b) => a + b, 0)).toBe(keys.length);
    } finally {
      client.disconnect();
      await cluster.stop();
    }
    for (const node of cluster.nodes) expect(await pingOnce(node.host, node.port, 300)).toBe(false);
  });
});
