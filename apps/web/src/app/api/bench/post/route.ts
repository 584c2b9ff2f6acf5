import { env } from "../../../../env";
import { withBaton } from "../../../../http/with-baton";

/**
 * The benchmark's floor for any design that posts the reply inside the callback request: read
 * the body, post its `text` into the thread named by `?thread=` through the Slack adapter, answer
 * JSON. No store, no signature, no rehydration. Off unless BATON_BENCH_ROUTES=1.
 */
export async function POST(request: Request) {
  if (env().BATON_BENCH_ROUTES !== "1") {
    return Response.json({ error: { code: "not_found" } }, { status: 404 });
  }
  const threadId = new URL(request.url).searchParams.get("thread") ?? "";
  const text = await request.json().then(
    (body: { text?: unknown } | null) => body?.text,
    () => undefined,
  );
  if (!threadId || typeof text !== "string") {
    return Response.json({ error: { code: "invalid_body" } }, { status: 400 });
  }
  return withBaton({ component: "bench" }, async (baton) => {
    const thread = baton.chat.thread(threadId);
    const posted = await thread.adapter.postMessage(threadId, { markdown: text });
    return Response.json({ ok: true, id: posted.id });
  });
}
