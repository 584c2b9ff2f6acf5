// Test fixture: a loopback TCP proxy whose target can be switched, like a DNS name or virtual IP
// that moves to the promoted replica on a failover. switchTo() drops every open connection, so
// clients reconnect to the same address and land on the new server.
import { createConnection, createServer, type Socket } from "node:net";
import { REDIS_HOST } from "@baton/testing";

export interface SwitchableProxy {
  readonly port: number;
  readonly url: string;
  switchTo(targetPort: number): void;
  close(): Promise<void>;
}

export async function startSwitchableProxy(targetPort: number): Promise<SwitchableProxy> {
  let target = targetPort;
  const open = new Set<Socket>();
  const track = (socket: Socket) => {
    open.add(socket);
    socket.once("close", () => open.delete(socket));
  };
  const server = createServer((client) => {
    const upstream = createConnection({ host: REDIS_HOST, port: target });
    track(client);
    track(upstream);
    const closeBoth = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", closeBoth).on("close", closeBoth);
    upstream.on("error", closeBoth).on("close", closeBoth);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, REDIS_HOST, resolve);
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("proxy has no port");
  const dropAll = () => {
    for (const socket of open) socket.destroy();
  };
  return {
    port: address.port,
    url: `redis://${REDIS_HOST}:${address.port}`,
    switchTo(targetPort: number) {
      target = targetPort;
      dropAll();
    },
    close() {
      dropAll();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
