import { cookies } from "next/headers";
import { env } from "../../env";
import { checkSession, SESSION_COOKIE } from "./operator-session";

export type ConsoleAccess =
  | { kind: "off" }
  | { kind: "signed-out" }
  | { kind: "signed-in"; sessionId: string };

/** Off without BATON_OPERATOR_TOKEN; else signed in by a valid session cookie, or not. */
export async function consoleAccess(): Promise<ConsoleAccess> {
  const token = env().BATON_OPERATOR_TOKEN;
  if (!token) return { kind: "off" };
  const value = (await cookies()).get(SESSION_COOKIE)?.value;
  const session = checkSession(value, token, Date.now());
  return session.ok ? { kind: "signed-in", sessionId: session.sessionId } : { kind: "signed-out" };
}
