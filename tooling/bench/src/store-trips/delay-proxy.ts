import { createConnection, createServer, type Server, type Socket } from "node:net";

export interface DelayProxy {
  port: number;
  url: string;
  stop(): Promise<void>;
}

/**
 * A loopback TCP proxy that holds every chunk `delayMs` before passing it on, in each direction:
 * a store `2 * delayMs` of network away (a managed Redis in another zone), in front of a local
 * server. Chunks keep their order (timers of one delay fire in the order they were set).
 */
export async function startDelayProxy(target: { host: string; port: number }, delayMs: number) {
  const sockets = new Set<Socket>();
  const relay = (from: Socket, to: Socket) => {
    from.on("data", (chunk) => {
      setTimeout(() => {
        if (!to.destroyed) to.write(chunk);
      }, delayMs);
    });
    from.on("close", () => setTimeout(() => to.destroy(), delayMs));
    from.on("error", () => to.destroy());
  };
  const server: Server = createServer((client) => {
    const upstream = createConnection(target);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
    }
    relay(client, upstream);
    relay(upstream, client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (typeof address !== "object" || address === null) throw new Error("proxy has no address");
  return {
    port: address.port,
    url: `redis://127.0.0.1:${address.port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  } satisfies DelayProxy;
}
