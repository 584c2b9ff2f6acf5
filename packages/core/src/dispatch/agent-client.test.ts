import { createLocalAgent, type LocalAgentHandle } from "@baton/agent-local";
import { type DispatchRequest, deriveRequestSecret, PROTOCOL_VERSION } from "@baton/agent-protocol";
import { afterEach, describe, expect, it } from "vitest";
import { SYSTEM_CLOCK } from "../platform/retry-budget";
import { createAgentClient } from "./agent-client";

function dispatchRequest(botRequestId: string): DispatchRequest {
  return {
    protocolVersion: PROTOCOL_VERSION,
    botRequestId,
    prompt: "[never] hello",
    context: { platform: "slack", threadId: "slack:C1:1.0", channelId: "slack:C1", history: [] },
    // Nothing listens here: the agent is told to never call back anyway.
    callback: {
      url: "http://127.0.0.1:9/callback",
      signingSecret: deriveRequestSecret("agent-client-test-secret-0123456789abcdef", botRequestId),
    },
    deadline: new Date(Date.now() + 60_000).toISOString(),
  };
}

describe("agent client (against the reference agent)", () => {
  let agent: LocalAgentHandle | undefined;
  afterEach(async () => {
    await agent?.stop();
    agent = undefined;
  });

  it("waits out a rate limit without counting the server's wait against its budget", async () => {
    agent = await createLocalAgent({}).start();
    agent.injectDispatchFault({ status: 429, retryAfterSeconds: 1, times: 2 });
    const waits: number[] = [];
    const client = createAgentClient({
      baseUrl: agent.url,
      // One second of own time: two 1 s server waits would blow it if they counted.
      budget: { maxElapsedMs: 1_000, maxAttempts: 5 },
      clock: {
        ...SYSTEM_CLOCK,
        sleep: (ms) => {
          waits.push(ms);
          return SYSTEM_CLOCK.sleep(ms);
        },
      },
    });
    const result = await client.dispatch(dispatchRequest("req-ratelimited-1"));
    expect(result).toMatchObject({ kind: "accepted", attempts: 3 });
    expect(waits).toEqual([1_000, 1_000]);
    // Three attempts reached the agent; only the last was accepted, and it started one session.
    expect(agent.sessions()).toHaveLength(1);
  });

  it("retries a flaky agent (503s) within its attempt budget, counting every attempt", async () => {
    agent = await createLocalAgent({}).start();
    agent.injectDispatchFault({ status: 503, times: 2 });
    const client = createAgentClient({ baseUrl: agent.url, budget: { baseDelayMs: 20 } });
    expect(await client.dispatch(dispatchRequest("req-flaky-1"))).toMatchObject({
      kind: "accepted",
      attempts: 3,
    });
  });

  it("gives up once the budget is spent, and does not retry a refusal", async () => {
    agent = await createLocalAgent({}).start();
    agent.injectDispatchFault({ status: 503, times: 10 });
    const client = createAgentClient({
      baseUrl: agent.url,
      budget: { maxAttempts: 3, baseDelayMs: 10 },
    });
    expect(await client.dispatch(dispatchRequest("req-down-1"))).toMatchObject({
      kind: "unreachable",
      attempts: 3,
    });

    await agent.stop();
    agent = await createLocalAgent({ authToken: "right-token" }).start();
    const refused = await createAgentClient({ baseUrl: agent.url, authToken: "wrong" }).dispatch(
      dispatchRequest("req-unauth-1"),
    );
    expect(refused).toMatchObject({ kind: "rejected", status: 401, attempts: 1 });
  });
});
