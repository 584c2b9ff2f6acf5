import { after } from "next/server";
import { type Baton, getBaton } from "../baton";
import { flushReports } from "../observability/sentry-reporter";
import { type ErrorSource, errorResponse } from "./error-response";

/**
 * Runs a route's work with the process's Baton (connected on first use). Whatever fails,
 * starting Baton included, is answered by the one error funnel.
 */
export async function withBaton(
  source: ErrorSource,
  work: (baton: Baton) => Promise<Response>,
): Promise<Response> {
  try {
    return await work(await getBaton());
  } catch (error) {
    const response = errorResponse(error, source);
    // A report not flushed before the work ends is never delivered.
    if (response.status >= 500 && response.status !== 503) after(flushReports);
    return response;
  }
}
