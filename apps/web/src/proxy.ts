import { type NextRequest, NextResponse } from "next/server";

const CALLBACK_PATH_PREFIX = "/api/internal/bot-session-callback/";

/**
 * Next decodes a dynamic route segment (decodeURIComponent) before any route code runs. On a
 * malformed escape (`%E0%A4%A`, a lone `%`) it renders its `/400` page, which an App Router app
 * does not have, and answers a bare `500 Internal Server Error`. A callback id is
 * `[A-Za-z0-9_-]` and never needs an escape, so such a path is refused here the way the route
 * refuses any malformed id. The matcher only sends paths holding a `%` through this.
 */
export function proxy(request: NextRequest): NextResponse {
  const segment = request.nextUrl.pathname.slice(CALLBACK_PATH_PREFIX.length);
  try {
    decodeURIComponent(segment);
  } catch {
    return NextResponse.json({ error: { code: "invalid_request_id" } }, { status: 401 });
  }
  return NextResponse.next();
}

export const config = {
  matcher: "/api/internal/bot-session-callback/:botRequestId(.*%.*)",
};
