import { StateUnavailableError } from "@baton/core";
import { redirect } from "next/navigation";
import { type Baton, getBaton } from "../../baton";
import { logStoreUnavailable } from "../../http/error-response";

/** Where a console page goes while the store does not answer (a 503 page that retries). */
export const CONSOLE_UNAVAILABLE_PATH = "/console/unavailable";

/**
 * Reads what a console page shows. A page rendered by Next cannot answer 503 itself (an error in
 * it becomes Next's bare 500), so when the store does not answer the page sends the operator to
 * the console's "store unavailable" route, which answers 503 with Retry-After and comes back
 * here once the store does. Any other failure is a bug and stays one.
 */
export async function readConsoleStore<T>(
  from: string,
  read: (baton: Baton) => Promise<T>,
): Promise<T> {
  try {
    return await read(await getBaton());
  } catch (error) {
    if (!(error instanceof StateUnavailableError)) throw error;
    logStoreUnavailable("console", error);
  }
  redirect(`${CONSOLE_UNAVAILABLE_PATH}?from=${encodeURIComponent(from)}`);
}

/** A console path to come back to; anything else (another site, another route) is the console. */
export function consoleReturnPath(from: string | null): string {
  return from && /^\/console(\/[\w.-]+)*(\?[\w=&%.-]*)?$/.test(from) ? from : "/console";
}
