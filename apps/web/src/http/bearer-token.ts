import { timingSafeEqual } from "node:crypto";

/** Whether `Authorization: Bearer <token>` carries `token`, compared in constant time. */
export function bearerMatches(header: string | null, token: string): boolean {
  const given = Buffer.from(header?.replace(/^Bearer /, "") ?? "");
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
