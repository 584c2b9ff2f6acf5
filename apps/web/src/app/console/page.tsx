import {
  CONSOLE_STATES,
  createOperatorAudit,
  findRequests,
  listRequests,
  type RequestSummary,
} from "@baton/core";
import { notFound } from "next/navigation";
import { consoleAccess } from "./console-access";
import { readConsoleStore } from "./console-store";
import { CONSOLE_CSS, formatAge } from "./console-styles";
import { SignInForm } from "./sign-in-form";

export const dynamic = "force-dynamic";

interface ConsoleProps {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

/** Requests by state and age, a search by botRequestId or thread id, the latest actions. */
export default async function ConsolePage({ searchParams }: ConsoleProps) {
  const access = await consoleAccess();
  if (access.kind === "off") notFound();
  const params = await searchParams;
  if (access.kind === "signed-out") {
    return (
      <main className="console">
        <style>{CONSOLE_CSS}</style>
        <h1>Baton operator console</h1>
        <SignInForm failed={params.signin === "failed"} />
      </main>
    );
  }
  const query = typeof params.q === "string" ? params.q.trim() : "";
  const here = query ? `/console?q=${encodeURIComponent(query)}` : "/console";
  const [summaries, audit] = await readConsoleStore(here, (baton) =>
    Promise.all([
      query ? findRequests(baton.flows.deps, query) : listRequests(baton.flows.deps),
      createOperatorAudit(baton.backend.state, baton.logger).recent(10),
    ]),
  );
  return (
    <main className="console">
      <style>{CONSOLE_CSS}</style>
      <h1>Baton operator console</h1>
      <form method="post" action="/api/internal/operator/session" className="inline">
        <button type="submit" name="signout" value="1">
          Sign out
        </button>
      </form>
      <form method="get" action="/console" id="search">
        <input name="q" defaultValue={query} placeholder="botRequestId or thread id" size={50} />{" "}
        <button type="submit">Search</button> {query ? <a href="/console">clear</a> : null}
      </form>
      <p className="counts">
        {CONSOLE_STATES.map((state) => (
          <span key={state}>
            {state}: {summaries.filter((s) => s.state === state).length}
          </span>
        ))}
        <span className="stuck">stuck: {summaries.filter((s) => s.stuck).length}</span>
      </p>
      {summaries.length === 0 ? <p>No requests {query ? "match" : "in the last hours"}.</p> : null}
      {CONSOLE_STATES.map((state) => (
        <StateTable key={state} state={state} rows={summaries.filter((s) => s.state === state)} />
      ))}
      <h2>Latest operator actions</h2>
      <table id="audit">
        <tbody>
          {audit.map((entry) => (
            <tr key={`${entry.at}-${entry.botRequestId}-${entry.action}`}>
              <td>{new Date(entry.at).toISOString()}</td>
              <td>{entry.actor}</td>
              <td>{entry.action}</td>
              <td>
                <a href={`/console/request/${entry.botRequestId}`}>
                  <code>{entry.botRequestId}</code>
                </a>
              </td>
              <td>{entry.result}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </main>
  );
}

function StateTable({ state, rows }: { state: string; rows: RequestSummary[] }) {
  if (rows.length === 0) return null;
  return (
    <section>
      <h2>{state}</h2>
      <table className={`requests state-${state}`}>
        <thead>
          <tr>
            <th>request</th>
            <th>age</th>
            <th>thread</th>
            <th>from</th>
            <th>status</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(({ record, ageMs, stuck }) => (
            <tr key={record.id} data-request-id={record.id}>
              <td>
                <a href={`/console/request/${record.id}`}>
                  <code>{record.id}</code>
                </a>
              </td>
              <td>{formatAge(ageMs)}</td>
              <td>
                <code>{record.threadId}</code>
              </td>
              <td>{record.author.userId}</td>
              <td className={stuck ? "stuck" : undefined}>
                {record.status}
                {record.error ? ` (${record.error.code})` : ""}
                {stuck ? " · stuck" : ""}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
