import { readFileSync, statSync } from "node:fs";
import {
  type AgentRouter,
  createAgentClient,
  createReloadingRouter,
  createTableRouter,
  parseRoutingTable,
  type TableRouterOptions,
} from "@baton/core";
import type { Logger } from "chat";
import { ConfigError } from "./env";

/**
 * The router of BATON_ROUTES_FILE. The file was validated at start-up; it is re-read when its
 * modification time changes (checked at most once a second), so a changed table applies to new
 * conversations without a restart. A change that does not parse keeps the last good table and
 * is logged with its problems.
 */
export function createRoutesFileRouter(
  path: string,
  options: Omit<TableRouterOptions, "table" | "client"> & { logger: Logger },
): AgentRouter {
  const load = () => {
    const parsed = parseRoutingTable(readFileSync(path, "utf8"));
    if (!parsed.ok) {
      throw new ConfigError(`${path} is invalid:\n  ${parsed.problems.join("\n  ")}`);
    }
    return createTableRouter({
      ...options,
      table: parsed.table,
      client: (url, token) =>
        createAgentClient({ baseUrl: url, ...(token ? { authToken: token } : {}) }),
    });
  };
  return createReloadingRouter({
    version: () => String(statSync(path).mtimeMs),
    load,
    onReloadFailed: (error) =>
      options.logger.error("the routing file could not be reloaded; the last good table stays", {
        path,
        error: error instanceof Error ? error.message : String(error),
      }),
  });
}
