import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import * as keys from "./keys";

const SRC = dirname(fileURLToPath(import.meta.url));
const PACKAGE_JSON = JSON.parse(readFileSync(join(SRC, "..", "package.json"), "utf8")) as {
  dependencies: Record<string, string>;
};

/** Core's shipped source: every .ts file except tests and test support. */
function sourceFiles(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "test-support" ? [] : sourceFiles(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts") ? [path] : [];
  });
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;]*?\sfrom\s+"([^"]+)"/g;

function importsOf(file: string): string[] {
  return [...readFileSync(file, "utf8").matchAll(IMPORT)].map((match) => match[1] ?? "");
}

/** A file's folder under src (`request`, `callback`, …), or `.` for the files at the top. */
function folderOf(file: string): string {
  const rel = relative(SRC, file);
  return rel.includes("/") ? (rel.split("/")[0] ?? ".") : ".";
}

/** Files at the top that every folder may use; they import no folder themselves. */
const SHARED_TOP_FILES = ["errors.ts", "keys.ts", "ports.ts", "type-equality.ts", "zod-issue.ts"];

function folderGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of sourceFiles()) {
    const from = folderOf(file);
    if (from === ".") continue;
    for (const spec of importsOf(file).filter((s) => s.startsWith("."))) {
      const target = normalize(join(dirname(file), spec));
      const to = folderOf(`${target}.ts`);
      if (to === from || to === ".") continue;
      if (!graph.has(from)) graph.set(from, new Set());
      graph.get(from)?.add(to);
    }
  }
  return graph;
}

/** A cycle in the graph as a path (`a -> b -> a`), or undefined when there is none. */
function findCycle(graph: Map<string, Set<string>>): string[] | undefined {
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === "done") return undefined;
    if (state.get(node) === "visiting") return [...stack.slice(stack.indexOf(node)), node];
    state.set(node, "visiting");
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(node, "done");
    return undefined;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}

describe("core's architecture", () => {
  it("finds a cycle when there is one (the check itself works)", () => {
    const graph = new Map([
      ["a", new Set(["b"])],
      ["b", new Set(["c"])],
      ["c", new Set(["a"])],
    ]);
    expect(findCycle(graph)).toEqual(["a", "b", "c", "a"]);
    expect(findCycle(new Map([["a", new Set(["b"])]]))).toBeUndefined();
  });

  it("has folders whose dependencies point one way (no cycle)", () => {
    const graph = folderGraph();
    expect([...graph.keys()].sort()).toEqual([
      "callback",
      "dispatch",
      "mention",
      "operator",
      "request",
      "sweeper",
    ]);
    expect(findCycle(graph)).toBeUndefined();
  });

  it("keeps the sweeper on top: callback and dispatch never import it", () => {
    const graph = folderGraph();
    for (const [from, targets] of graph) {
      if (from !== "sweeper") expect([from, targets.has("sweeper")]).toEqual([from, false]);
    }
    expect(graph.get("callback")?.has("mention") ?? false).toBe(false);
    expect(graph.get("dispatch")?.has("callback") ?? false).toBe(false);
    // The operator console acts through the request's own lifecycle; nothing acts through it.
    for (const [from, targets] of graph)
      expect([from, targets.has("operator")]).toEqual([from, false]);
    const operatorMay = new Set([
      "request",
      "dispatch",
      "callback",
      "sweeper",
      "platform",
      "state",
    ]);
    for (const target of graph.get("operator") ?? [])
      expect([target, operatorMay.has(target)]).toEqual([target, true]);
  });

  it("has shared top files that import no folder", () => {
    for (const name of SHARED_TOP_FILES) {
      const folders = importsOf(join(SRC, name)).filter((spec) => spec.startsWith("./"));
      expect([name, folders]).toEqual([name, []]);
    }
  });

  it("imports no framework, error tracker or database client: only its declared dependencies", () => {
    const allowed = new Set(Object.keys(PACKAGE_JSON.dependencies));
    const outside = sourceFiles().flatMap((file) =>
      importsOf(file)
        .filter((spec) => !spec.startsWith(".") && !spec.startsWith("node:"))
        .filter((spec) => !allowed.has(spec.startsWith("@") ? spec : (spec.split("/")[0] ?? "")))
        .map((spec) => `${relative(SRC, file)} imports ${spec}`),
    );
    expect(outside).toEqual([]);
    for (const forbidden of ["next", "@sentry/nextjs", "ioredis", "better-sqlite3", "pg"]) {
      expect(allowed.has(forbidden)).toBe(false);
    }
  });

  it("builds each stored key family in exactly one module", () => {
    const builders = Object.entries(keys)
      .filter(([name, value]) => typeof value === "function" && /Key$|LockId$/.test(name))
      .map(([name]) => name);
    expect(builders.length).toBeGreaterThan(10);
    const owners = Object.fromEntries(
      builders.map((name) => [
        name,
        sourceFiles()
          .filter((file) => !["keys.ts", "index.ts"].includes(relative(SRC, file)))
          .filter((file) => new RegExp(`\\b${name}\\(`).test(readFileSync(file, "utf8")))
          .map((file) => relative(SRC, file)),
      ]),
    );
    const notOwnedByOne = Object.entries(owners).filter(([, files]) => files.length !== 1);
    expect(notOwnedByOne).toEqual([]);
  });
});
