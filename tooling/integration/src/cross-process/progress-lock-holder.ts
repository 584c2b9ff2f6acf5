/**
 * A child process that takes a request's progress lock the way an instance showing a progress
 * update does, says so, then keeps working (holding and renewing it) until it is killed.
 */
import { createRequestStores } from "@baton/core";
import type { BackendSpec } from "../support/backend-spec";
import { openBackend } from "../support/backend-spec";

const task = JSON.parse(process.argv[2] ?? "{}") as { backend: BackendSpec; botRequestId: string };
const state = await openBackend(task.backend);
const { statusMessages } = createRequestStores({ state });
const lock = await statusMessages.lock(task.botRequestId);
console.log(JSON.stringify({ held: lock !== null }));
// A post that never ends: the holder stays alive (and renewing) until the test kills it.
setInterval(() => undefined, 60_000);
