/**
 * The account side of account linking, as small as a demo can be: Baton's private link opens
 * `GET /link?token=…`, a "sign in" form asking for an account id (any id signs in here; a real
 * account system would authenticate the user); submitting it (`POST /link`) makes the signed
 * confirmation call to Baton (protocol README, "Account linking") and shows what Baton answered,
 * with Baton's status, so a test can read it over HTTP.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { ACCOUNT_LINK_PATH, signAccountLinkConfirmation } from "@baton/agent-protocol";
import { readBody } from "./http-io";
import type { Logger } from "./logger";

export const ACCOUNT_LINK_PAGE_PATH = "/link";
const MAX_FORM_BYTES = 4096;
/** Filled in when the page is opened without `accountId`: the demo's one account. */
export const DEMO_ACCOUNT_ID = "acct_demo";

export interface AccountLinkOptions {
  /** The first of Baton's BATON_LINK_SECRETS (the one it signs with). */
  linkSecret: string;
  /** Baton's public URL; a function when it is known only after the agent starts. */
  batonUrl: string | (() => string);
}

export interface AccountLinkDeps {
  options: AccountLinkOptions;
  fetch: typeof fetch;
  now: () => number;
  logger: Logger;
}

export async function handleAccountLinkPage(
  deps: AccountLinkDeps,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const url = new URL(request.url ?? "/", "http://agent.invalid");
  if (request.method === "GET") {
    const token = url.searchParams.get("token") ?? "";
    const accountId = url.searchParams.get("accountId") ?? DEMO_ACCOUNT_ID;
    if (!token)
      return sendPage(response, 400, "No link token", "<p>Open the link Baton sent you.</p>");
    return sendPage(response, 200, "Link your chat account", signInForm(token, accountId));
  }
  if (request.method !== "POST") {
    request.resume();
    response.setHeader("allow", "GET, POST");
    return sendPage(response, 405, "Method not allowed", "");
  }
  const body = await readBody(request, MAX_FORM_BYTES);
  if (!body.ok) return sendPage(response, 413, "Too large", "");
  const form = new URLSearchParams(body.text);
  const token = form.get("token") ?? "";
  const accountId = (form.get("accountId") ?? "").trim();
  if (!token || !/^[\x21-\x7E]{1,256}$/.test(accountId)) {
    return sendPage(response, 400, "Check the form", signInForm(token, accountId));
  }
  const answer = await confirmWithBaton(deps, token, accountId);
  deps.logger.info("account link confirmed with Baton", { status: answer.status, accountId });
  const title =
    answer.status === 200
      ? "Linked"
      : answer.status === 409
        ? "This link was already used"
        : answer.status === 410
          ? "This link has expired"
          : "Baton refused the link";
  const detail =
    answer.status === 200
      ? `<p>Your chat account now acts as <code>${escapeHtml(accountId)}</code>. Your request is on its way; the answer appears in its thread.</p>`
      : `<p>Baton answered ${answer.status}: <code>${escapeHtml(answer.text)}</code>. Mention the bot again for a new link.</p>`;
  return sendPage(response, answer.status, title, detail);
}

async function confirmWithBaton(
  deps: AccountLinkDeps,
  token: string,
  accountId: string,
): Promise<{ status: number; text: string }> {
  const { options } = deps;
  const batonUrl = typeof options.batonUrl === "function" ? options.batonUrl() : options.batonUrl;
  const signed = signAccountLinkConfirmation(
    { linkSecret: options.linkSecret, now: deps.now },
    { token, accountId },
  );
  try {
    const reply = await deps.fetch(new URL(ACCOUNT_LINK_PATH, batonUrl), {
      method: "POST",
      headers: { ...signed.headers, "content-type": "application/json" },
      body: signed.body,
    });
    return { status: reply.status, text: await reply.text() };
  } catch (error) {
    // Baton unreachable: the link is still unused, so opening it again later works.
    const message = error instanceof Error ? error.message : String(error);
    deps.logger.warn("Baton did not answer the link confirmation", { error: message });
    return { status: 502, text: message };
  }
}

function signInForm(token: string, accountId: string): string {
  return `<p>Sign in to the agent's account system; Baton will run your requests as this account.</p>
<form method="post" action="${ACCOUNT_LINK_PAGE_PATH}">
  <input type="hidden" name="token" value="${escapeHtml(token)}">
  <label>Account id <input name="accountId" value="${escapeHtml(accountId)}" required></label>
  <button type="submit">Sign in and link</button>
</form>`;
}

function sendPage(response: ServerResponse, status: number, title: string, body: string): void {
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
  response.writeHead(status, {
    "content-type": "text/html; charset=utf-8",
    "content-length": Buffer.byteLength(html, "utf8"),
    "cache-control": "no-store",
  });
  response.end(html);
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c,
  );
}
