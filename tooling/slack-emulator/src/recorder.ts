import type { EventDelivery, RecordedApiCall } from "./types";

/** Every Web API call and every event delivery, in order. */
export type Recorder = ReturnType<typeof createRecorder>;

export function createRecorder() {
  let calls: RecordedApiCall[] = [];
  let deliveries: EventDelivery[] = [];
  let seq = 0;

  return {
    recordCall(call: Omit<RecordedApiCall, "seq">): RecordedApiCall {
      seq += 1;
      const recorded = { ...call, seq };
      calls.push(recorded);
      return recorded;
    },
    recordDelivery(delivery: EventDelivery): void {
      deliveries.push(delivery);
    },
    calls(method?: string): RecordedApiCall[] {
      return method ? calls.filter((c) => c.method === method) : [...calls];
    },
    deliveries(): EventDelivery[] {
      return [...deliveries];
    },
    clear(): void {
      calls = [];
      deliveries = [];
    },
  };
}
