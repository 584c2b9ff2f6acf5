import { after } from "next/server";
import { getBaton } from "../../../../bot";
import { flushReports } from "../../../../lib/sentry-reporter";

/**
 * Chat platform webhooks through the Chat SDK: the adapter verifies and answers at once; the
 * handler's work continues after the response (Next's `after`), and its error reports are
 * flushed before that work ends.
 */
export async function POST(request: Request, context: { params: Promise<{ platform: string }> }) {
  const { platform } = await context.params;
  const baton = await getBaton();
  const webhooks = baton.chat.webhooks as Record<
    string,
    | ((
        request: Request,
        options: { waitUntil(task: Promise<unknown>): void },
      ) => Promise<Response>)
    | undefined
  >;
  const handle = webhooks[platform];
  if (!handle) return Response.json({ error: { code: "unknown_platform" } }, { status: 404 });
  return handle(request, {
    waitUntil: (task) =>
      after(async () => {
        try {
          await task;
        } finally {
          await flushReports();
        }
      }),
  });
}
