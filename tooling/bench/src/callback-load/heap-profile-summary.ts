import { readFileSync } from "node:fs";
import { add, type Frame, frameOf, topShares } from "./cpu-profile-summary";
import { createFrameResolver } from "./source-map-frames";

/** The parts of a V8 sampling heap profile (`.heapprofile`) this summary reads. */
interface HeapProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  selfSize: number;
  children?: HeapProfileNode[];
}

export interface AllocationShare {
  name: string;
  /** Bytes allocated there, estimated from the samples. */
  bytes: number;
  pct: number;
}

export interface HeapProfileSummary {
  /** Bytes allocated in the window, estimated. */
  totalBytes: number;
  /** Allocated by code of each origin (npm package, Baton package, Next, Node). */
  selfByOrigin: AllocationShare[];
  topSelf: AllocationShare[];
  /** Allocated with a Baton source file anywhere on the stack. */
  inclusiveByBatonFile: AllocationShare[];
}

function shares(bytes: Map<string, number>, total: number): AllocationShare[] {
  return topShares(bytes, total).map(({ name, amount, pct }) => ({ name, bytes: amount, pct }));
}

/**
 * Reads the Next server's sampling heap profile of one window and says which code allocated
 * what: the garbage collector's work follows the bytes allocated.
 */
export function summarizeHeapProfile(path: string): HeapProfileSummary {
  const { head } = JSON.parse(readFileSync(path, "utf8")) as { head: HeapProfileNode };
  const resolve = createFrameResolver();
  const selfByOrigin = new Map<string, number>();
  const selfByFrame = new Map<string, number>();
  const byBatonFile = new Map<string, number>();
  let totalBytes = 0;
  const walk = (node: HeapProfileNode, stack: readonly Frame[]) => {
    const frame = frameOf(node.callFrame, resolve);
    const onStack = [...stack, frame];
    if (node.selfSize > 0) {
      totalBytes += node.selfSize;
      add(selfByOrigin, frame.origin, node.selfSize);
      add(selfByFrame, frame.label, node.selfSize);
      const files = new Set(onStack.flatMap((f) => (f.batonFile ? [f.batonFile] : [])));
      for (const file of files) add(byBatonFile, file, node.selfSize);
    }
    for (const child of node.children ?? []) walk(child, onStack);
  };
  walk(head, []);
  return {
    totalBytes,
    selfByOrigin: shares(selfByOrigin, totalBytes),
    topSelf: shares(selfByFrame, totalBytes),
    inclusiveByBatonFile: shares(byBatonFile, totalBytes),
  };
}
