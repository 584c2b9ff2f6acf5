/** Optional bearer-token check for Baton's calls to the agent. */
import { createHash, timingSafeEqual } from "node:crypto";

/**
 * Returns a predicate over the `Authorization` header. Without a token every call passes.
 * Digests are compared, so neither the length nor the content leaks through timing.
 */
export function createBearerCheck(
  token: string | undefined,
): (header: string | undefined) => boolean {
  if (token === undefined) return () => true;
  const expected = digest(token);
  return (header) => {
    const match = header === undefined ? null : /^Bearer[ ]+(\S+)\s*$/i.exec(header);
    if (!match) return false;
    return timingSafeEqual(digest(match[1] as string), expected);
  };
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}
