import { serveRequestFile } from "@baton/core";
import { withBaton } from "../../../../../../http/with-baton";

/**
 * A file a dispatch listed, served to that request's agent only (bearer token derived from the
 * request's signing secret, while the request runs). A thin shell over core's file server.
 */
export async function GET(
  request: Request,
  context: { params: Promise<{ botRequestId: string; fileRef: string }> },
) {
  const { botRequestId, fileRef } = await context.params;
  const source = { component: "bot-request-files", context: { botRequestId } };
  return withBaton(source, async (baton) => {
    const answer = await serveRequestFile(baton.flows.deps, {
      botRequestId,
      fileRef,
      authorization: request.headers.get("authorization"),
    });
    if (answer.kind === "refused") {
      return Response.json({ error: { code: answer.code } }, { status: answer.status });
    }
    return new Response(new Blob([answer.body]).stream(), {
      status: 200,
      headers: {
        "content-type": answer.mimeType,
        "content-length": String(answer.body.byteLength),
        "content-disposition": `attachment; filename*=UTF-8''${encodeURIComponent(answer.name)}`,
        "cache-control": "private, no-store",
      },
    });
  });
}
