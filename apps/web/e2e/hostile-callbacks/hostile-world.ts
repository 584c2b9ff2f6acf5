import {
  createCallbackSigner,
  deriveRequestSecret,
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_TIMESTAMP_HEADER,
} from "@baton/agent-protocol";
import { type BackendInspector, type LocalStack, waitUntil } from "@baton/stack";
import { callbackFor, type HostileWorld, signedRequest, type Target } from "./hostile-case";
import type { RawClient } from "./raw-post";

/** Requests left pending for the run; the extra one is expired. At least two (cross-request cases). */
export const PENDING_REQUESTS = 3;
/** Below every generated case's sequence: a case that got through would show as progress. */
const ACCEPTED_SEQUENCE = 1;
/** The reference agent's marker for "accept, then never call back". */
const NEVER_CALLS_BACK = "[never]";

/**
 * Real requests from real mentions, whose agent never calls back: a few left pending, one whose
 * state is then expired from the store, and for each pending one a progress callback Baton
 * accepted, kept to be replayed.
 */
export async function prepareWorld(
  stack: LocalStack,
  inspector: BackendInspector,
  client: RawClient,
): Promise<HostileWorld> {
  const serverSecret = stack.env.BATON_CALLBACK_SECRETS as string;
  const requests: Target[] = [];
  for (let i = 0; i <= PENDING_REQUESTS; i++) {
    const { threadTs } = await stack.mention(`hostile callbacks, request ${i} ${NEVER_CALLS_BACK}`);
    const dispatch = await stack.waitForDispatch(threadTs);
    const id = dispatch.botRequestId;
    await stack.waitForRecord(id, (record) => record.status === "running");
    requests.push({
      id,
      agentSessionId: dispatch.agentSessionId ?? "sess_unknown",
      executionId: dispatch.executionId ?? "exec_unknown",
      threadTs,
      secret: deriveRequestSecret(serverSecret, id),
    });
  }
  const expired = requests.pop() as Target;
  await expire(stack, inspector, expired.id);

  const accepted = [];
  for (const target of requests) accepted.push({ request: await acceptedProgress(client, target) });
  await timelineWritten(inspector, requests);
  return { serverSecret, targets: requests, expired, accepted };
}

/** Its keys' TTLs run out now, as they would after a week: the store forgets the request. */
async function expire(stack: LocalStack, inspector: BackendInspector, id: string): Promise<void> {
  const found = await inspector.expireKeysContaining(id);
  if (found === 0) throw new Error(`no stored state names request ${id}`);
  await waitUntil(async () => (await stack.record(id)) === undefined, {
    what: `request ${id} to expire`,
  });
}

/**
 * An accepted callback's timeline entry is written after its answer: the world is ready (and the
 * run's baseline may be taken) only once every one is in the store.
 */
async function timelineWritten(inspector: BackendInspector, targets: Target[]): Promise<void> {
  await waitUntil(
    async () => {
      const keys = (await inspector.dump()).entries.map((entry) => entry.key);
      return targets.every((target) =>
        keys.some((key) => key.includes(`bot-request-events:${target.id}`)),
      );
    },
    { what: "the accepted progress callbacks on the requests' timelines" },
  );
}

/**
 * One genuine progress callback, made by the same helper as every case (which thus is one defect
 * away from being accepted), its signature checked against the protocol's own signer.
 */
async function acceptedProgress(client: RawClient, target: Target) {
  const body = JSON.stringify(callbackFor(target, "progress", ACCEPTED_SEQUENCE));
  const webhookId = `msg_accepted_${target.id}`;
  const request = signedRequest({ idSegment: target.id, body, secret: target.secret, webhookId });
  const header = (name: string) => request.headers.find(([n]) => n === name)?.[1];
  const timestamp = Number(header(WEBHOOK_TIMESTAMP_HEADER));
  const signer = createCallbackSigner({
    signingSecret: target.secret,
    now: () => timestamp * 1000,
  });
  const reference = signer.sign(webhookId, body)[WEBHOOK_SIGNATURE_HEADER];
  if (header(WEBHOOK_SIGNATURE_HEADER) !== reference) {
    throw new Error(`the test's signature differs from the protocol signer's: ${reference}`);
  }
  const answer = await client.post(request);
  if (answer.status !== 200) {
    throw new Error(`the genuine progress callback got ${answer.status}: ${answer.text}`);
  }
  return request;
}
