import type { CallbackVerifier } from "@baton/agent-protocol";
import type { DispatchDeps } from "../dispatch/dispatch-deps";
import type { ReplayGuard } from "./replay-guard";

/**
 * What handling the agent's callbacks needs. It includes dispatching, because a request that
 * ends hands its thread to the next queued follow-up.
 */
export interface CallbackDeps extends DispatchDeps {
  verifier: CallbackVerifier;
  replays: ReplayGuard;
}
