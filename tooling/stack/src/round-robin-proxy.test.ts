import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { getFreePort } from "@baton/testing";
import { afterEach, describe, expect, it } from "vitest";
import { type RoundRobinProxyHandle, startRoundRobinProxy } from "./round-robin-proxy";

const servers: Server[] = [];
const proxies: RoundRobinProxyHandle[] = [];
afterEach(async () => {
  await Promise.all(proxies.splice(0).map((proxy) => proxy.stop()));
  await Promise.all(
    servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))),
  );
});

/** An upstream that answers with its name, the path and the body it received. */
async function upstream(name: string): Promise<string> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      response
        .writeHead(201, { "content-type": "application/json", "x-upstream": name })
        .end(JSON.stringify({ name, path: request.url, body: Buffer.concat(chunks).toString() }));
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function proxy(targets: string[]): Promise<RoundRobinProxyHandle> {
  const started = await startRoundRobinProxy(targets);
  proxies.push(started);
  return started;
}

async function post(url: string, body: string) {
  const response = await fetch(url, { method: "POST", body });
  return {
    status: response.status,
    upstream: response.headers.get("x-upstream"),
    json: (await response.json()) as Record<string, unknown>,
  };
}

describe("startRoundRobinProxy", () => {
  it("sends requests to the targets in turn, path, body and answer intact", async () => {
    const a = await upstream("a");
    const b = await upstream("b");
    const lb = await proxy([a, b]);
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await post(`${lb.url}/api/x?i=${i}`, `body ${i}`));
    expect(answers.map((r) => r.upstream)).toEqual(["a", "b", "a", "b"]);
    expect(answers[2]).toEqual({
      status: 201,
      upstream: "a",
      json: { name: "a", path: "/api/x?i=2", body: "body 2" },
    });
    expect(lb.stats().forwarded).toEqual({ [a]: 2, [b]: 2 });
  });

  it("tries the next target when one refuses the connection, and answers 502 when all do", async () => {
    const closed = `http://127.0.0.1:${await getFreePort()}`;
    const b = await upstream("b");
    const lb = await proxy([closed, b]);
    expect((await post(lb.url, "one")).upstream).toBe("b");
    expect((await post(lb.url, "two")).upstream).toBe("b");
    expect(lb.stats()).toMatchObject({ failedOver: 2, badGateway: 0 });

    lb.setTargets([closed]);
    expect(await post(lb.url, "three")).toEqual({
      status: 502,
      upstream: null,
      json: { error: { code: "bad_gateway" } },
    });
  });
});
