import type { LocalStack } from "@baton/stack";
import { type CallbackAnswer, createTestAgent, type TestAgent } from "./test-agent";

/**
 * The test as the agent of `stack`: it signs with the stack's callback secret and spreads its
 * deliveries over every instance.
 */
export function createStackTestAgent(
  stack: LocalStack,
  log: CallbackAnswer[],
  maxTotalMs: number,
): TestAgent {
  return createTestAgent({
    serverSecret: stack.env.BATON_CALLBACK_SECRETS as string,
    targets: stack.servers.map((server) => server.url),
    log,
    maxTotalMs,
  });
}
