import {
  type AccountLinkRefusalCode,
  accountLinkRefusalStatus,
  MAX_SMALL_BODY_BYTES,
  verifyAccountLinkConfirmation,
} from "@baton/agent-protocol";
import { confirmAccountLink, type LinkConfirmation } from "@baton/core";
import { after } from "next/server";
import { env } from "../../../../../env";
import { withBaton } from "../../../../../http/with-baton";
import { flushReports } from "../../../../../observability/sentry-reporter";

const TOKEN_REFUSALS: Record<
  Extract<LinkConfirmation, { kind: "refused" }>["code"],
  AccountLinkRefusalCode
> = {
  malformed: "malformed_token",
  forged: "forged_token",
  expired: "expired",
};

/**
 * The agent's account system confirms a link (protocol README, "Account linking"): the signature
 * first, then the link token, then core stores the identity and replays the waiting message,
 * once however often and on however many instances the confirmation arrives. Answered after the
 * replay's dispatch, so the account system can tell the user the request is on its way.
 */
export async function POST(request: Request) {
  return withBaton({ component: "account-link" }, async (baton) => {
    const secrets = env().BATON_LINK_SECRETS;
    if (!secrets?.length) return refusal(404, "account_linking_off");
    if (Number(request.headers.get("content-length") ?? "0") > MAX_SMALL_BODY_BYTES) {
      return refuse("body_too_large");
    }
    const verified = verifyAccountLinkConfirmation(
      { linkSecrets: secrets, now: Date.now },
      { headers: request.headers, body: await request.text() },
    );
    if (!verified.ok) {
      const code = verified.code === "unknown_type" ? "invalid_body" : verified.code;
      baton.logger.warn("account-link confirmation refused", { code });
      return refuse(code);
    }
    const { token, accountId } = verified.confirmation;
    const result = await confirmAccountLink(baton.flows.deps, secrets, { token, accountId });
    after(flushReports);
    switch (result.kind) {
      case "replayed":
        baton.logger.info("account linked; the waiting message replayed", {
          outcome: result.outcome.kind,
        });
        return Response.json({ linked: true, replay: result.outcome.kind }, { status: 200 });
      case "already-used":
        return refuse("already_used");
      case "refused":
        baton.logger.warn("account-link token refused", { code: result.code });
        return refuse(TOKEN_REFUSALS[result.code]);
    }
  });
}

function refuse(code: AccountLinkRefusalCode): Response {
  return refusal(accountLinkRefusalStatus(code), code);
}

function refusal(status: number, code: string): Response {
  return Response.json({ error: { code } }, { status });
}

/** Any other method: 405 with the one allowed. */
function methodNotAllowed(): Response {
  return Response.json(
    { error: { code: "method_not_allowed" } },
    { status: 405, headers: { allow: "POST" } },
  );
}

export { methodNotAllowed as DELETE, methodNotAllowed as GET, methodNotAllowed as PUT };
