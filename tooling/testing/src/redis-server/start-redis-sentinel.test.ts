import Redis from "ioredis";
import { describe, expect, it } from "vitest";
import { pingOnce } from "./probe-server";
import { startRedisSentinelGroup } from "./start-redis-sentinel";

async function role(port: number): Promise<string> {
  const client = new Redis({ port, host: "127.0.0.1", maxRetriesPerRequest: 1 });
  try {
    return String(((await client.call("ROLE")) as unknown[])[0]);
  } finally {
    client.disconnect();
  }
}

describe("startRedisSentinelGroup", () => {
  it("fails over by command and by SIGKILL, and stops every process", async () => {
    const group = await startRedisSentinelGroup();
    try {
      const first = await group.primary();
      expect(await role(first.port)).toBe("master");

      const second = await group.failover("command");
      expect(second.port).not.toBe(first.port);
      expect(await role(second.port)).toBe("master");

      const third = await group.failover("kill");
      expect(third.port).toBe(first.port);
      expect(await role(third.port)).toBe("master");
      expect(second.pid).toBeUndefined(); // SIGKILLed, not restarted
    } finally {
      await group.stop();
    }
    for (const address of [...group.sentinels, ...group.nodes]) {
      expect(await pingOnce(address.host, address.port, 300)).toBe(false);
    }
  }, 60_000);

  it("fails with an install hint, before starting anything, when redis-sentinel is missing", async () => {
    await expect(
      startRedisSentinelGroup({ sentinelBinary: "baton-no-such-redis-sentinel" }),
    ).rejects.toThrow(/apt-get install -y redis-sentinel/);
  });
});
