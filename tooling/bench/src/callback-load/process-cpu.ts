import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

/** Linux's usual clock tick, used when `getconf` is unavailable. */
const DEFAULT_CLOCK_TICKS_PER_S = 100;

function clockTicksPerSecond(): number {
  try {
    const ticks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
    return Number.isFinite(ticks) && ticks > 0 ? ticks : DEFAULT_CLOCK_TICKS_PER_S;
  } catch {
    return DEFAULT_CLOCK_TICKS_PER_S;
  }
}

const TICKS_PER_S = clockTicksPerSecond();

interface ProcStat {
  pid: number;
  ppid: number;
  /** utime + stime, in clock ticks. */
  ticks: number;
}

function readStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may contain spaces and parentheses: parse after the last ")".
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return {
      pid,
      ppid: Number(fields[1]),
      ticks: Number(fields[11]) + Number(fields[12]),
    };
  } catch {
    return undefined;
  }
}

/**
 * CPU milliseconds (user + system) used so far by a process and all its descendants, from
 * /proc. `next start` may run its server in a child process, so the whole tree is counted.
 */
export function processTreeCpuMs(rootPid: number | undefined): number {
  if (rootPid === undefined) return 0;
  const stats = readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readStat(Number(name)))
    .filter((stat): stat is ProcStat => stat !== undefined);
  const children = new Map<number, ProcStat[]>();
  for (const stat of stats) {
    const siblings = children.get(stat.ppid) ?? [];
    siblings.push(stat);
    children.set(stat.ppid, siblings);
  }
  let ticks = 0;
  const pending = stats.filter((stat) => stat.pid === rootPid);
  for (let next = pending.pop(); next; next = pending.pop()) {
    ticks += next.ticks;
    pending.push(...(children.get(next.pid) ?? []));
  }
  return (ticks * 1000) / TICKS_PER_S;
}

/** This process's own CPU milliseconds (user + system). */
export function ownCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** CPU milliseconds all processes on the machine have used (every core, idle and iowait excluded). */
export function machineBusyCpuMs(): number {
  const line = readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "";
  const [, ...fields] = line.trim().split(/\s+/);
  const ticks = fields.map(Number);
  const total = ticks.slice(0, 8).reduce((sum, value) => sum + value, 0);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  return ((total - idle) * 1000) / TICKS_PER_S;
}
