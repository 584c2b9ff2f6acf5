import { connect } from "node:net";

const PROBE_TIMEOUT_MS = 1_000;
const PROBE_RETRY_DELAY_MS = 25;

/**
 * One raw-socket probe: `PING` then `INFO server`. Returns the answering server's process id when
 * it answered +PONG (a loading server answers -LOADING), otherwise null. The pid tells our server
 * apart from another one that already holds the port.
 */
export function probeServer(host: string, port: number, timeoutMs = PROBE_TIMEOUT_MS) {
  return new Promise<number | null>((resolve) => {
    const socket = connect({ host, port });
    let received = "";
    const finish = (pid: number | null) => {
      socket.destroy();
      resolve(pid);
    };
    socket.setTimeout(timeoutMs, () => finish(null));
    socket.once("error", () => finish(null));
    socket.once("connect", () => socket.write("PING\r\nINFO server\r\n"));
    socket.on("data", (chunk) => {
      received += chunk.toString("utf8");
      if (!received.includes("\r\n")) return;
      if (!received.startsWith("+PONG\r\n")) return finish(null);
      const pid = /process_id:(\d+)/.exec(received);
      if (pid?.[1]) finish(Number.parseInt(pid[1], 10));
    });
  });
}

/** Whether anything answers PING on the port. */
export async function pingOnce(host: string, port: number, timeoutMs = PROBE_TIMEOUT_MS) {
  return (await probeServer(host, port, timeoutMs)) !== null;
}

/**
 * Polls until the server with process id `pid` answers, `gaveUp()` says to stop (e.g. the process
 * exited), or the deadline passes. Returns whether it answered.
 */
export async function waitForServer(
  host: string,
  port: number,
  pid: number | undefined,
  timeoutMs: number,
  gaveUp: () => boolean,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !gaveUp()) {
    const answered = await probeServer(host, port);
    if (answered !== null && answered === pid) return true;
    await new Promise((resolve) => setTimeout(resolve, PROBE_RETRY_DELAY_MS));
  }
  return false;
}
