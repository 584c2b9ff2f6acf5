import type { createRedisClient } from "@baton/state-redis";
import type { StateAdapter } from "chat";

type Redis = ReturnType<typeof createRedisClient>;

/**
 * Sequential round trips: a call (or command) sent while none of the same layer is in flight
 * starts a new trip; calls sent together (Promise.all, a pipeline) share one. This is the count
 * a remote store's latency multiplies.
 */
export interface TripCounter {
  calls: Map<string, number>;
  trips: number;
  reset(): void;
  /** Wraps one call; `name` is what it is counted as. */
  track<T>(name: string, call: () => Promise<T>): Promise<T>;
}

export function createTripCounter(): TripCounter {
  let inFlight = 0;
  const counter: TripCounter = {
    calls: new Map(),
    trips: 0,
    reset() {
      counter.calls.clear();
      counter.trips = 0;
    },
    async track(name, call) {
      counter.calls.set(name, (counter.calls.get(name) ?? 0) + 1);
      if (inFlight === 0) counter.trips++;
      inFlight++;
      try {
        return await call();
      } finally {
        inFlight--;
      }
    },
  };
  return counter;
}

/**
 * The state as Baton's flows see it, counted per StateAdapter call. `batches: false` hides the
 * backend's one-round-trip batch, so core takes the generic path (one call per op): the design
 * before the batch, on the same backend, in the same run.
 */
export function countedState(
  inner: StateAdapter,
  counter: TripCounter,
  options: { batches: boolean },
): StateAdapter {
  return new Proxy(inner, {
    get(target, property, receiver) {
      if (property === "runBatch" && !options.batches) return undefined;
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== "function" || typeof property !== "string") return value;
      if (property === "connect" || property === "disconnect") return value.bind(target);
      return (...args: unknown[]) =>
        counter.track(property, () => Promise.resolve(value.apply(target, args)));
    },
  });
}

/** Counts every command the ioredis client sends (EVALSHA is one, whatever its script does). */
export function countRedisCommands(client: Redis, counter: TripCounter): void {
  const send = client.sendCommand.bind(client);
  client.sendCommand = ((command: Parameters<Redis["sendCommand"]>[0], stream?: unknown) => {
    let settle: () => void = () => undefined;
    const done = new Promise<void>((resolve) => {
      settle = resolve;
    });
    void counter.track(command.name.toLowerCase(), () => done);
    const sent = (send as (c: typeof command, s?: unknown) => Promise<unknown>)(command, stream);
    Promise.resolve(sent).then(settle, settle);
    return sent;
  }) as Redis["sendCommand"];
}
