import { MAX_CALLBACK_BODY_BYTES } from "@baton/agent-protocol";
import { after } from "next/server";
import { withBaton } from "../../../../../http/with-baton";
import { flushReports } from "../../../../../observability/sentry-reporter";

/** The agent's callback: a thin shell over core's callback flow. */
export async function POST(
  request: Request,
  context: { params: Promise<{ botRequestId: string }> },
) {
  const { botRequestId } = await context.params;
  // Bodies above the protocol's cap are refused before being read.
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_CALLBACK_BODY_BYTES) {
    return Response.json({ error: { code: "body_too_large" } }, { status: 413 });
  }
  const source = { component: "bot-session-callback", context: { botRequestId } };
  return withBaton(source, async (baton) => {
    const answer = await baton.flows.handleCallback({
      botRequestId,
      headers: request.headers,
      body: await request.text(),
    });
    // The agent is answered now; the thread's next follow-up is dispatched after the response.
    // Reports made while handling (lost state, refused posts) must leave before the work ends.
    const { handOff } = answer;
    after(async () => {
      await handOff;
      await flushReports();
    });
    return Response.json(answer.body, { status: answer.status, headers: answer.headers });
  });
}
