import { createSignInLimit, StateUnavailableError } from "@baton/core";
import { env } from "../../../../../env";
import { logStoreUnavailable } from "../../../../../http/error-response";
import { withBaton } from "../../../../../http/with-baton";
import { rootLogger } from "../../../../../observability/process-telemetry";
import { CONSOLE_UNAVAILABLE_PATH } from "../../../../console/console-store";
import {
  clearedSessionCookie,
  issueSession,
  sessionCookie,
  tokenMatches,
} from "../../../../console/operator-session";

/**
 * Signs an operator in: the console's form posts the token here (never in a URL); the answer
 * sets a session cookie derived from it and goes back to the console. `signout` clears it.
 * Attempts are budgeted across instances (see `createSignInLimit`): past the budget the answer
 * is 429 with Retry-After, before the token is compared, so guessing it is bounded.
 */
export async function POST(request: Request) {
  const token = env().BATON_OPERATOR_TOKEN;
  if (!token) return Response.json({ error: { code: "not_found" } }, { status: 404 });
  const form = await request.formData().catch(() => undefined);
  if (form?.get("signout") !== null && form?.get("signout") !== undefined) {
    return seeOther("/console", clearedSessionCookie());
  }
  return withBaton({ component: "console" }, async (baton) => {
    const admission = await createSignInLimit({
      state: baton.backend.state,
      now: Date.now,
      windowMs: env().BATON_OPERATOR_SIGN_IN_WINDOW_MS,
    })
      .admit()
      .catch((error: unknown) => {
        if (!(error instanceof StateUnavailableError)) throw error;
        logStoreUnavailable("console", error);
        return "unavailable" as const;
      });
    // The form's answer is a page: the console's 503 page, which comes back to the form.
    if (admission === "unavailable") return seeOther(`${CONSOLE_UNAVAILABLE_PATH}?from=%2Fconsole`);
    if (admission.kind === "limited") {
      const seconds = Math.max(1, Math.ceil(admission.retryAfterMs / 1000));
      rootLogger().warn({
        event: "operator sign-in refused: too many attempts",
        component: "console",
        retryAfterSeconds: seconds,
      });
      return new Response(`Too many sign-in attempts. Try again in ${seconds} s.\n`, {
        status: 429,
        headers: { "retry-after": String(seconds), "content-type": "text/plain; charset=utf-8" },
      });
    }
    const given = form?.get("token");
    if (typeof given !== "string" || !tokenMatches(given, token)) {
      rootLogger().warn({ event: "operator sign-in refused", component: "console" });
      return seeOther("/console?signin=failed");
    }
    const secure = new URL(env().BATON_PUBLIC_URL).protocol === "https:";
    return seeOther("/console", sessionCookie(issueSession(token, Date.now()), secure));
  });
}

function seeOther(location: string, cookie?: string): Response {
  const headers = new Headers({ location });
  if (cookie) headers.set("set-cookie", cookie);
  return new Response(null, { status: 303, headers });
}
