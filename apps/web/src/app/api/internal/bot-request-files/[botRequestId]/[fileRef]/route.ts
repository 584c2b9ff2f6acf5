import { serveRequestFile } from "@baton/core";
import { withBaton } from "../../../../../../http/with-baton";

/**
 * A file a dispatch listed, served to that request's agent only (bearer token derived from the
 * request's signing secret, while the request runs). A thin shell over core's file server: the
 * body is the platform's stream, passed on as it arrives; when it fails mid-way (over the cap,
 * Slack stalled) the response is cut, so the agent's download fails instead of ending short.
 */
export async function GET(
  request: Request,
  context: { params: Promise<{ botRequestId: string; fileRef: string }> },
) {
  const { botRequestId, fileRef } = await context.params;
  const source = { component: "bot-request-files", context: { botRequestId } };
  return withBaton(source, async (baton) => {
    const answer = await serveRequestFile(
      { ...baton.flows.deps, ...baton.requestFiles },
      { botRequestId, fileRef, authorization: request.headers.get("authorization") },
    );
    if (answer.kind === "refused") {
      return Response.json({ error: { code: answer.code } }, { status: answer.status });
    }
    return new Response(answer.body, {
      status: 200,
      headers: {
        // No Content-Length: Next 16.4 drops it from every route handler's response
        // (send-response.js, FORBIDDEN_HEADERS), so the body always goes chunked and a cut
        // stream reaches the agent as a connection closed before the last chunk: an error.
        // The dispatch lists the file's size.
        "content-type": answer.mimeType,
        "content-disposition": contentDisposition(answer.name),
        "cache-control": "private, no-store",
        "x-content-type-options": "nosniff",
      },
    });
  });
}

/**
 * `attachment` with the name twice: an ASCII fallback (quotes, backslashes and controls replaced)
 * for old clients, and the exact name percent-encoded as UTF-8 (RFC 6266 / 8187).
 */
function contentDisposition(name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]|["\\]/g, "_");
  const exact = encodeURIComponent(name).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${fallback}"; filename*=UTF-8''${exact}`;
}
