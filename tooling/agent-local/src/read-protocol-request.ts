/** The start every protocol route shares: the bearer check, then the body read up to the route's limit. */
import type { IncomingMessage } from "node:http";
import { type BodyReading, readBody } from "./http-io";
import type { Refuse } from "./route-refusal";

type BodyRead = Extract<BodyReading, { ok: true }>;

/** The body when the request may go on; `undefined` once `refuse` has answered it. */
export async function readProtocolRequest(
  request: IncomingMessage,
  authorized: boolean,
  maxBytes: number,
  refuse: Refuse,
): Promise<BodyRead | undefined> {
  if (!authorized) {
    request.resume();
    refuse(401, "unauthorized", "Missing or wrong bearer token", { "www-authenticate": "Bearer" });
    return undefined;
  }
  const body = await readBody(request, maxBytes);
  if (!body.ok) {
    refuse(400, "invalid_request", `Body exceeds ${maxBytes} bytes`, { connection: "close" });
    return undefined;
  }
  return body;
}
