import type { InstallOutcome } from "../../../../../install/slack-install-flow";

/** The small page a person sees after Slack sends them back; no data from the request echoed. */

const REFUSALS: Record<Extract<InstallOutcome, { kind: "refused" }>["reason"], string> = {
  state:
    "This install link has expired or was opened in another browser. Start again from the install page.",
  denied: "The install was cancelled in Slack. Nothing was installed.",
  "exchange-failed": "Slack did not confirm the install. Start again from the install page.",
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function installPage(outcome: InstallOutcome): string {
  const title = outcome.kind === "installed" ? "Baton is installed" : "Baton was not installed";
  const body =
    outcome.kind === "installed"
      ? `Baton is now installed in ${escapeHtml(outcome.teamName ?? outcome.teamId)}. Mention it in a channel it was added to.`
      : REFUSALS[outcome.reason];
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body><main><h1>${title}</h1><p>${body}</p></main></body></html>`;
}
