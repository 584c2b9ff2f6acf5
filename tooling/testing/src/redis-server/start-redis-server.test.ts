import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Redis from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { RedisServerMissingError } from "./find-redis-binary";
import { getFreePort } from "./free-port";
import { pingOnce } from "./probe-server";
import { type RedisServerHandle, startRedisServer } from "./start-redis-server";

const started: RedisServerHandle[] = [];
async function start(options?: Parameters<typeof startRedisServer>[0]) {
  const server = await startRedisServer(options);
  started.push(server);
  return server;
}

async function withClient<T>(server: RedisServerHandle, use: (client: Redis) => Promise<T>) {
  const client = new Redis(server.url, { maxRetriesPerRequest: 0, lazyConnect: true });
  client.on("error", () => {});
  try {
    await client.connect();
    return await use(client);
  } finally {
    client.disconnect();
  }
}

async function waitUntilSilent(port: number, deadlineMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    if (!(await pingOnce("127.0.0.1", port, 200))) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((server) => server.stop()));
});

describe("getFreePort", () => {
  it("returns a loopback port that can be bound", async () => {
    const port = await getFreePort();
    expect(port).toBeGreaterThan(0);
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", resolve);
    });
    await new Promise((resolve) => server.close(resolve));
  });
});

describe("startRedisServer", () => {
  it("starts a server on a loopback port that answers commands", async () => {
    const server = await start();
    expect(server.host).toBe("127.0.0.1");
    expect(server.url).toBe(`redis://127.0.0.1:${server.port}`);
    expect(server.pid).toBeTypeOf("number");
    const info = await withClient(server, async (client) => {
      await client.set("k", "v");
      expect(await client.get("k")).toBe("v");
      return client.config("GET", "save");
    });
    expect(info).toEqual(["save", ""]);
  });

  it("runs several servers side by side on distinct ports", async () => {
    const [a, b] = await Promise.all([start(), start()]);
    expect(a?.port).not.toBe(b?.port);
  });

  it("stop() shuts the server down, removes its temp dir, and is idempotent", async () => {
    const server = await start();
    expect(existsSync(server.dir)).toBe(true);
    await server.stop();
    expect(await pingOnce(server.host, server.port, 500)).toBe(false);
    expect(server.pid).toBeUndefined();
    expect(existsSync(server.dir)).toBe(false);
    await server.stop();
  });

  it("restart() keeps the port; without appendOnly the data is gone", async () => {
    const server = await start();
    const port = server.port;
    await withClient(server, (client) => client.set("k", "v"));
    await server.restart();
    expect(server.port).toBe(port);
    expect(await withClient(server, (client) => client.get("k"))).toBeNull();
  });

  it("with appendOnly, acknowledged writes survive kill -9 and restart", async () => {
    const server = await start({ appendOnly: true });
    await withClient(server, (client) => client.set("durable", "yes"));
    const oldPid = server.pid;
    await server.kill("SIGKILL");
    expect(await pingOnce(server.host, server.port, 500)).toBe(false);
    await server.restart();
    expect(server.pid).not.toBe(oldPid);
    expect(await withClient(server, (client) => client.get("durable"))).toBe("yes");
  });

  it("pause() stalls the server and resume() brings it back", async () => {
    const server = await start();
    await server.pause();
    expect(await pingOnce(server.host, server.port, 300)).toBe(false);
    await server.resume();
    expect(await pingOnce(server.host, server.port, 2_000)).toBe(true);
    await server.kill("SIGSTOP");
    await server.stop(); // a stalled server still stops
    expect(await pingOnce(server.host, server.port, 300)).toBe(false);
  });

  it("uses a given port and dir, and leaves a given dir in place", async () => {
    const dir = mkdtempSync(join(tmpdir(), "baton-redis-given-"));
    try {
      const port = await getFreePort();
      const server = await start({ port, dir });
      expect(server.port).toBe(port);
      await server.stop();
      expect(existsSync(join(dir, "redis.log"))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("fails with the log when the server cannot start (port taken)", async () => {
    const taken = await start();
    await expect(startRedisServer({ port: taken.port })).rejects.toThrow(/did not start/);
  });

  it("throws RedisServerMissingError with an install hint when the binary is missing", async () => {
    const attempt = startRedisServer({ binary: "redis-server-that-does-not-exist" });
    await expect(attempt).rejects.toBeInstanceOf(RedisServerMissingError);
    await expect(attempt).rejects.toThrow(/apt-get install -y redis-server/);
  });
});

describe("servers never outlive the test process", () => {
  const fixture = fileURLToPath(new URL("./orphan-server.fixture.ts", import.meta.url));

  async function runFixture(mode: "exit" | "wait") {
    const child = spawn(process.execPath, ["--import", "tsx", fixture, mode], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const port = await new Promise<number>((resolve, reject) => {
      let out = "";
      child.stdout.on("data", (chunk) => {
        out += chunk;
        if (out.includes("\n")) resolve(Number.parseInt(out, 10));
      });
      child.once("exit", (code) => reject(new Error(`fixture exited early (${code})`)));
    });
    return { child, port };
  }

  it("when the process exits normally", async () => {
    const { port } = await runFixture("exit");
    expect(await waitUntilSilent(port)).toBe(true);
  });

  it("when the process is killed with SIGKILL", async () => {
    const { child, port } = await runFixture("wait");
    expect(await pingOnce("127.0.0.1", port, 1_000)).toBe(true);
    child.kill("SIGKILL");
    expect(await waitUntilSilent(port)).toBe(true);
  });
});
