import { z } from "zod";
import type { AgentClient } from "./agent-client";
import {
  type AgentRoute,
  type AgentRouter,
  DEFAULT_AGENT_ID,
  type RoutedAgent,
} from "./agent-router";

/**
 * The routing table (BATON_ROUTES_FILE): named agents, and routes from a workspace and/or a
 * channel to one of them with optional fixed settings. The most specific route wins (workspace
 * and channel, then channel, then workspace); a place no route names goes to the default agent.
 */
const IdSchema = z.string().min(1).max(128);
const AgentEntrySchema = z.strictObject({
  url: z.url({ protocol: /^https?$/ }),
  token: z.string().min(1).optional(),
  preamble: z.string().optional(),
  allowedModels: z.array(z.string().min(1).max(128)).default([]),
  defaultEffort: z.enum(["low", "medium", "high"]).optional(),
});
const RouteEntrySchema = z
  .strictObject({
    workspace: IdSchema.optional(),
    channel: IdSchema.optional(),
    agent: IdSchema,
    settings: z
      .strictObject({
        repository: z.string().min(1).max(1024).optional(),
        branch: z.string().min(1).max(1024).optional(),
      })
      .optional(),
    /** Settings users may override in the options block (`--repo=…`, `--branch=…`). */
    allowOverrides: z.array(z.enum(["repo", "branch"])).default([]),
  })
  .refine((route) => route.workspace !== undefined || route.channel !== undefined, {
    message: "a route names a workspace, a channel, or both",
  });

export const RoutingTableSchema = z
  .strictObject({
    agents: z.record(IdSchema, AgentEntrySchema),
    routes: z.array(RouteEntrySchema).default([]),
  })
  .superRefine((table, ctx) => {
    table.routes.forEach((route, index) => {
      if (!(route.agent in table.agents)) {
        ctx.addIssue({
          code: "custom",
          path: ["routes", index, "agent"],
          message: `no agent named "${route.agent}" in "agents"`,
        });
      }
    });
    if (DEFAULT_AGENT_ID in table.agents) {
      ctx.addIssue({
        code: "custom",
        path: ["agents", DEFAULT_AGENT_ID],
        message: `"${DEFAULT_AGENT_ID}" names the AGENT_URL agent; pick another name`,
      });
    }
  });

export type RoutingTable = z.infer<typeof RoutingTableSchema>;

export type ParsedRoutingTable =
  | { ok: true; table: RoutingTable }
  | { ok: false; problems: string[] };

/** Reads the file's text; never throws, every problem is listed with its path. */
export function parseRoutingTable(text: string): ParsedRoutingTable {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, problems: [`not JSON: ${(error as Error).message}`] };
  }
  const parsed = RoutingTableSchema.safeParse(json);
  if (parsed.success) return { ok: true, table: parsed.data };
  return {
    ok: false,
    problems: parsed.error.issues.map(
      (issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`,
    ),
  };
}

export interface TableRouterOptions {
  table: RoutingTable;
  /** The agent of places no route names (AGENT_URL). */
  fallback: Omit<RoutedAgent, "agentId">;
  /** Builds a client for a table agent. */
  client(url: string, token: string | undefined): AgentClient;
  /** The effort budgets every agent shares. */
  effortBudgets: RoutedAgent["optionsPolicy"]["effortBudgets"];
}

export function createTableRouter(
  options: TableRouterOptions,
): AgentRouter & { agents(): RoutedAgent[] } {
  const { table } = options;
  const agents = new Map<string, RoutedAgent>([
    [DEFAULT_AGENT_ID, { agentId: DEFAULT_AGENT_ID, ...options.fallback }],
  ]);
  const byName = new Map<string, RoutedAgent>();
  for (const [name, entry] of Object.entries(table.agents)) {
    // The id names the endpoint, not just the entry: a name pointed at another URL is another
    // agent, and a thread whose session the old one holds must not follow the name.
    const agentId = `${name}@${entry.url}`;
    const agent: RoutedAgent = {
      agentId,
      client: options.client(entry.url, entry.token),
      ...(entry.preamble ? { preamble: entry.preamble } : {}),
      ...(entry.defaultEffort ? { defaultEffort: entry.defaultEffort } : {}),
      optionsPolicy: { allowedModels: entry.allowedModels, effortBudgets: options.effortBudgets },
    };
    agents.set(agentId, agent);
    byName.set(name, agent);
  }
  const fallback = agents.get(DEFAULT_AGENT_ID) as RoutedAgent;
  return {
    route(key) {
      const match =
        table.routes.find((r) => r.channel === key.channelId && r.workspace === key.workspaceId) ??
        table.routes.find((r) => r.channel === key.channelId && r.workspace === undefined) ??
        table.routes.find((r) => r.channel === undefined && r.workspace === key.workspaceId);
      const agent = match ? byName.get(match.agent) : undefined;
      if (!match || !agent) return fallback;
      const route: AgentRoute = {
        ...agent,
        optionsPolicy: {
          ...agent.optionsPolicy,
          overrides: {
            repo: match.allowOverrides.includes("repo"),
            branch: match.allowOverrides.includes("branch"),
          },
        },
        ...(match.settings ? { settings: match.settings } : {}),
      };
      return route;
    },
    agent: (agentId) => agents.get(agentId),
    agents: () => [...agents.values()],
  };
}

/**
 * A router that re-reads its table when the source changed (checked at most once per
 * `checkEveryMs`): a new table applies to new conversations without a restart. A table that no
 * longer parses keeps the last good one and is reported once per change. An agent that left the
 * table stays reachable by id, so a thread whose session it holds keeps going to it.
 */
export function createReloadingRouter(options: {
  /** A cheap version of the source (a file's mtime); the table is re-read when it changes. */
  version(): string;
  load(): AgentRouter;
  onReloadFailed(error: unknown): void;
  checkEveryMs?: number;
  now?: () => number;
}): AgentRouter {
  const now = options.now ?? Date.now;
  const every = options.checkEveryMs ?? 1_000;
  let current = options.load();
  let loadedVersion = options.version();
  let checkedAt = now();
  const retired = new Map<string, RoutedAgent>();
  const fresh = (): AgentRouter => {
    if (now() - checkedAt < every) return current;
    checkedAt = now();
    let version: string;
    try {
      version = options.version();
      if (version === loadedVersion) return current;
      loadedVersion = version;
      const previous = current;
      current = options.load();
      remember(previous);
    } catch (error) {
      options.onReloadFailed(error);
    }
    return current;
  };
  return {
    route: (key) => fresh().route(key),
    agent: (agentId) => fresh().agent(agentId) ?? retired.get(agentId),
  };

  function remember(previous: AgentRouter & { agents?: () => RoutedAgent[] }) {
    for (const agent of previous.agents?.() ?? []) retired.set(agent.agentId, agent);
  }
}
