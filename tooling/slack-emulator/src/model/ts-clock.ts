/** Slack message timestamps: "seconds.micros" strings, unique and strictly increasing. */
export interface TsClock {
  next(): string;
}

export function createTsClock(options: { now: () => number }): TsClock {
  let lastMicros = 0;
  return {
    next() {
      let micros = Math.floor(options.now() * 1000);
      if (micros <= lastMicros) micros = lastMicros + 1;
      lastMicros = micros;
      return formatTs(micros);
    },
  };
}

export function formatTs(micros: number): string {
  const seconds = Math.floor(micros / 1_000_000);
  const fraction = String(micros % 1_000_000).padStart(6, "0");
  return `${seconds}.${fraction}`;
}

/** Microseconds since the epoch, or NaN for a malformed ts. */
export function tsToMicros(ts: string): number {
  const match = /^(\d+)\.(\d{6})$/.exec(ts);
  if (!match) return Number.NaN;
  return Number(match[1]) * 1_000_000 + Number(match[2]);
}

export function isTs(value: unknown): value is string {
  return typeof value === "string" && !Number.isNaN(tsToMicros(value));
}

export function compareTs(a: string, b: string): number {
  return tsToMicros(a) - tsToMicros(b);
}
