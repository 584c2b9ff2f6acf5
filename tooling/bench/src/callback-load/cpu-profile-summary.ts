import { readFileSync } from "node:fs";
import { createFrameResolver, type FrameResolver } from "./source-map-frames";

/** The parts of a V8 `.cpuprofile` this summary reads. */
interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
    children?: number[];
  }[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileShare {
  name: string;
  ms: number;
  /** Share of all busy time (idle excluded). */
  pct: number;
}

export interface ProfileSummary {
  /** Sampled busy time (idle excluded), ms. */
  busyMs: number;
  /** Self time by where the code comes from: npm package, workspace package, Next, Node, V8. */
  selfByOrigin: ProfileShare[];
  /** Time with the origin anywhere on the stack (each sample counted once per origin). */
  inclusiveByOrigin: ProfileShare[];
  /** Time with a Baton source file anywhere on the stack: the callback's stages. */
  inclusiveByBatonFile: ProfileShare[];
  topSelf: ProfileShare[];
  /** Per group of origins: who calls into it (the caller chain above its outermost frame). */
  callersOf: Record<string, ProfileShare[]>;
  /** Per group of origins: time with it anywhere on the stack, ms. */
  groupMs: Record<string, number>;
}

/** Groups of origins whose callers are worth knowing, e.g. `{ markdown: (o) => ... }`. */
export type OriginGroups = Record<string, (origin: string) => boolean>;
/** Frames of the caller chain shown above a group's outermost frame. */
const CALLER_DEPTH = 3;

export interface Frame {
  origin: string;
  label: string;
  /** `core/src/flow/callback-flow.ts` for Baton's own files. */
  batonFile?: string;
}

const IDLE = "(idle)";
const TOP = 25;

/** Where code comes from, from its (original) path: an npm package, a Baton package, or else. */
export function originOfPath(path: string): string {
  const pnpm = /node_modules\/\.pnpm\/[^/]+\/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (pnpm?.[1]) return pnpm[1];
  const plain = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (plain?.[1]) return plain[1];
  if (path.includes("/.web-build/src/")) return "@baton/web";
  const baton = /(?:^|\/)(packages|apps)\/([^/]+)\//.exec(path);
  if (baton?.[2]) return `@baton/${baton[2]}`;
  return path.replace(/^.*\/(\.next[^/]*)\//, "$1/");
}

/** A profiled frame: where its code comes from, and a label naming it (original source). */
export function frameOf(
  callFrame: CpuProfile["nodes"][number]["callFrame"],
  resolve: FrameResolver,
): Frame {
  const { functionName, url, lineNumber, columnNumber } = callFrame;
  if (!url) {
    const origin = functionName.startsWith("(") ? functionName : "(native)";
    return { origin, label: `${functionName} ${origin}` };
  }
  if (url.startsWith("node:")) {
    return {
      origin: "node internals",
      label: `${functionName || "(anonymous)"} ${url}:${lineNumber + 1}`,
    };
  }
  const original = resolve(url, lineNumber, columnNumber);
  const path = original?.source ?? url;
  const origin = originOfPath(path);
  const file = path.replace(/^.*node_modules\/(?:@[^/]+\/)?[^/]+\//, "").replace(/^(\.\.\/)+/, "");
  const line = original?.line ?? lineNumber + 1;
  const name = original?.name ?? functionName ?? "(anonymous)";
  const batonFile = /(?:^|\/)(?:packages|apps)\/(.+)$/.exec(
    path.replace("/.web-build/", "/apps/web/"),
  )?.[1];
  return {
    origin,
    label: `${name || "(anonymous)"} ${origin}/${file}:${line}`,
    ...(batonFile ? { batonFile } : {}),
  };
}

/** Adds `amount` to `key`'s running total. */
export function add(totals: Map<string, number>, key: string, amount: number) {
  totals.set(key, (totals.get(key) ?? 0) + amount);
}

/** The largest totals, rounded, each with its share (in %, one decimal) of `whole`. */
export function topShares(
  totals: Map<string, number>,
  whole: number,
): { name: string; amount: number; pct: number }[] {
  return [...totals]
    .sort((a, b) => b[1] - a[1])
    .slice(0, TOP)
    .map(([name, amount]) => ({
      name,
      amount: Math.round(amount),
      pct: Math.round((amount / Math.max(1, whole)) * 1000) / 10,
    }));
}

function shares(times: Map<string, number>, busyMs: number): ProfileShare[] {
  return topShares(times, busyMs).map(({ name, amount, pct }) => ({ name, ms: amount, pct }));
}

/** Reads a `.cpuprofile` of the Next server and says where its busy time went. */
export function summarizeCpuProfile(path: string, groups: OriginGroups = {}): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, "utf8")) as CpuProfile;
  const resolve = createFrameResolver();
  const frames = new Map(profile.nodes.map((node) => [node.id, frameOf(node.callFrame, resolve)]));
  const idle = new Set(
    profile.nodes.filter((n) => n.callFrame.functionName === IDLE).map((n) => n.id),
  );
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) {
    for (const child of node.children ?? []) parentOf.set(child, node.id);
  }
  const selfByOrigin = new Map<string, number>();
  const inclusiveByOrigin = new Map<string, number>();
  const inclusiveByBatonFile = new Map<string, number>();
  const selfByFrame = new Map<string, number>();
  const callers = new Map(Object.keys(groups).map((name) => [name, new Map<string, number>()]));
  const groupMs = new Map<string, number>();
  let busyMs = 0;

  profile.samples.forEach((id, index) => {
    const frame = frames.get(id);
    if (!frame || idle.has(id)) return;
    const ms = (profile.timeDeltas[index] ?? 0) / 1000;
    busyMs += ms;
    add(selfByOrigin, frame.origin, ms);
    add(selfByFrame, frame.label, ms);
    const origins = new Set<string>();
    const files = new Set<string>();
    const stack: Frame[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) {
      const onStack = frames.get(at);
      if (!onStack) break;
      stack.push(onStack);
      origins.add(onStack.origin);
      if (onStack.batonFile) files.add(onStack.batonFile);
    }
    for (const origin of origins) add(inclusiveByOrigin, origin, ms);
    for (const file of files) add(inclusiveByBatonFile, file, ms);
    for (const [name, inGroup] of Object.entries(groups)) {
      const outermost = stack.findLastIndex((frame) => inGroup(frame.origin));
      if (outermost === -1) continue;
      add(groupMs, name, ms);
      const chain = stack.slice(outermost + 1, outermost + 1 + CALLER_DEPTH).map((f) => f.label);
      const group = callers.get(name);
      if (group) add(group, chain.join(" < ") || "(top)", ms);
    }
  });

  return {
    busyMs: Math.round(busyMs),
    selfByOrigin: shares(selfByOrigin, busyMs),
    inclusiveByOrigin: shares(inclusiveByOrigin, busyMs),
    inclusiveByBatonFile: shares(inclusiveByBatonFile, busyMs),
    topSelf: shares(selfByFrame, busyMs),
    callersOf: Object.fromEntries(
      [...callers].map(([name, times]) => [name, shares(times, busyMs)]),
    ),
    groupMs: Object.fromEntries([...groupMs].map(([name, ms]) => [name, Math.round(ms)])),
  };
}
