import type { Logger } from "chat";
import type { RedisLikeClient } from "./wait-for-ready";

/**
 * Logs the connection's state changes, not its every retry: one warning when Redis becomes
 * unreachable (a dropped connection or a failed attempt), one info line when it is ready again.
 * Returns a function that stops watching.
 */
export function watchConnection(client: RedisLikeClient, logger: Logger): () => void {
  let available: boolean | undefined;
  const onReady = () => {
    if (available === false) logger.info("redis connection ready again");
    available = true;
  };
  const onLost = (error?: unknown) => {
    if (available === false) return;
    available = false;
    logger.warn("redis unreachable; store calls fail until it is back", {
      error: error instanceof Error ? error.message : "connection closed",
    });
  };
  const onClose = () => onLost();
  client.on("ready", onReady);
  client.on("error", onLost);
  client.on("close", onClose);
  return () => {
    client.off("ready", onReady);
    client.off("error", onLost);
    client.off("close", onClose);
  };
}
