import { type NextRequest, NextResponse } from "next/server";

const CALLBACK_PATH_PREFIX = "/api/internal/bot-session-callback/";

/**
 * Next decodes a dynamic route segment (decodeURIComponent) before any route code runs. On a
 * malformed escape (`%E0%A4%A`, a lone `%`) it renders its `/400` page, which an App Router app
 * does not have, and answers a bare `500 Internal Server Error`. Callback ids and platform names
 * never need an escape, so such a path is refused here the way the routes refuse any malformed
 * id or unknown platform. The matcher only sends paths holding a `%` through this.
 */
export function proxy(request: NextRequest): NextResponse {
  const path = request.nextUrl.pathname;
  try {
    decodeURIComponent(path);
  } catch {
    return path.startsWith(CALLBACK_PATH_PREFIX)
      ? NextResponse.json({ error: { code: "invalid_request_id" } }, { status: 401 })
      : NextResponse.json({ error: { code: "unknown_platform" } }, { status: 404 });
  }
  return NextResponse.next();
}

export const config = {
  matcher: [
    "/api/internal/bot-session-callback/:botRequestId(.*%.*)",
    "/api/webhooks/:platform(.*%.*)",
  ],
};
