// Run by orphan-postgres.test.ts in a child process: starts a cluster, prints the postmaster's
// pid, then exits normally ("exit") or waits to be killed ("wait"). The server must not outlive us.
import { startPostgresServer } from "./start-postgres-server";

const mode = process.argv[2];
const server = await startPostgresServer();
process.stdout.write(`${server.pid}\n`);
if (mode === "exit") process.exit(0);
setInterval(() => {}, 60_000);
