// Run by start-redis-server.test.ts in a child process: starts a server, prints its port, then
// either exits normally ("exit") or waits to be killed ("wait"). The server must not outlive us.
import { startRedisServer } from "./start-redis-server";

const mode = process.argv[2];
const server = await startRedisServer();
process.stdout.write(`${server.port}\n`);
if (mode === "exit") process.exit(0);
setInterval(() => {}, 60_000);
