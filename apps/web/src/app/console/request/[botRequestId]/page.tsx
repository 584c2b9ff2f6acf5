import {
  isValidBotRequestId,
  OPERATOR_ACTIONS,
  type OperatorAction,
  requestTimeline,
} from "@baton/core";
import { notFound, redirect } from "next/navigation";
import { consoleAccess } from "../../console-access";
import { readConsoleStore } from "../../console-store";
import { CONSOLE_CSS, formatAge } from "../../console-styles";

export const dynamic = "force-dynamic";

/** What each action does, shown on its button and again when it is confirmed. */
const ACTIONS: Record<OperatorAction, { label: string; explains: string }> = {
  "retry-delivery": {
    label: "Retry delivery",
    explains:
      "Posts the reply the agent already sent, from the part that did not land, then finishes the request.",
  },
  finalise: {
    label: "Finalise and tell the user",
    explains:
      "Posts a notice in the thread that an operator ended the request, finalises it as error (operator_finalised) and lets the thread's next request run.",
  },
  redispatch: {
    label: "Re-dispatch",
    explains:
      "Sends the request to the agent again with the same botRequestId and a fresh deadline (an agent still running it does not start it twice).",
  },
};

interface RequestPageProps {
  params: Promise<{ botRequestId: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

/** One request's timeline, and the actions that fit its state (each confirmed before it runs). */
export default async function RequestPage({ params, searchParams }: RequestPageProps) {
  const access = await consoleAccess();
  if (access.kind === "off") notFound();
  if (access.kind === "signed-out") redirect("/console");
  const { botRequestId } = await params;
  if (!isValidBotRequestId(botRequestId)) notFound();
  const query = await searchParams;
  const timeline = await readConsoleStore(`/console/request/${botRequestId}`, (baton) =>
    requestTimeline(baton.flows.deps, botRequestId),
  );
  const confirm = typeof query.confirm === "string" ? query.confirm : undefined;
  const result = typeof query.result === "string" ? query.result : undefined;
  return (
    <main className="console">
      <style>{CONSOLE_CSS}</style>
      <p>
        <a href="/console">← all requests</a>
      </p>
      <h1>
        Request <code>{botRequestId}</code>
      </h1>
      {result ? (
        <p className="banner" id="result">
          {result}
        </p>
      ) : null}
      {timeline.kind !== "found" ? (
        <p>
          This request is{" "}
          {timeline.kind === "missing"
            ? "not stored (unknown or expired)"
            : `unreadable (${timeline.reason})`}
          .
        </p>
      ) : (
        <>
          <p>
            <strong>{timeline.summary.state}</strong> ({timeline.summary.record.status}
            {timeline.summary.record.error ? `, ${timeline.summary.record.error.code}` : ""}), age{" "}
            {formatAge(timeline.summary.ageMs)}, thread{" "}
            <code>{timeline.summary.record.threadId}</code>
            {timeline.summary.stuck ? <span className="stuck"> · stuck</span> : null}
          </p>
          <h2>Timeline</h2>
          <table id="timeline">
            <tbody>
              {timeline.entries.map((entry) => (
                <tr key={`${entry.step}-${entry.at ?? ""}-${entry.detail}`} data-step={entry.step}>
                  <td>{entry.at ? new Date(entry.at).toISOString() : "—"}</td>
                  <td>{entry.step}</td>
                  <td>{entry.detail}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {timeline.summary.record.finalizedAt === undefined ? (
            <Actions
              botRequestId={botRequestId}
              available={OPERATOR_ACTIONS.filter(
                (a) => a !== "retry-delivery" || timeline.replyPending,
              )}
              confirm={OPERATOR_ACTIONS.find((a) => a === confirm)}
            />
          ) : null}
        </>
      )}
    </main>
  );
}

function Actions({
  botRequestId,
  available,
  confirm,
}: {
  botRequestId: string;
  available: OperatorAction[];
  confirm: OperatorAction | undefined;
}) {
  if (confirm) {
    return (
      <div className="confirm" id="confirm">
        <p>
          <strong>{ACTIONS[confirm].label}?</strong> {ACTIONS[confirm].explains}
        </p>
        <form method="post" action="/api/internal/operator/actions" className="inline">
          <input type="hidden" name="action" value={confirm} />
          <input type="hidden" name="botRequestId" value={botRequestId} />
          <input type="hidden" name="confirm" value={botRequestId} />
          <button type="submit" className="danger" id="confirm-action">
            Yes, {ACTIONS[confirm].label.toLowerCase()}
          </button>
        </form>
        <a href={`/console/request/${botRequestId}`}>Cancel</a>
      </div>
    );
  }
  return (
    <section id="actions">
      <h2>Actions</h2>
      {available.map((action) => (
        <p key={action}>
          <a href={`/console/request/${botRequestId}?confirm=${action}`} data-action={action}>
            <button type="button">{ACTIONS[action].label}</button>
          </a>{" "}
          {ACTIONS[action].explains}
        </p>
      ))}
    </section>
  );
}
