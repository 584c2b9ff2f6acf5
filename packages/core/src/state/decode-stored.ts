import { StateValueCorruptError } from "../errors";

/**
 * For StateAdapter backends: stored text that is not JSON (a manual edit, a bad migration, a
 * disk fault) is a corrupt value, not a failing store. StateValueCorruptError names the key,
 * never the content, and guardStateAdapter passes it through, so the caller's store decides what
 * it means for its request.
 */
export function decodeStored<T>(text: string, key: string, operation: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (cause) {
    throw new StateValueCorruptError(key, operation, { cause });
  }
}

/** Every list item that decodes; when one does not, the error carries the ones that did. */
export function decodeStoredList<T>(texts: readonly string[], key: string): T[] {
  const items: T[] = [];
  let firstFailure: unknown;
  for (const text of texts) {
    try {
      items.push(JSON.parse(text) as T);
    } catch (cause) {
      firstFailure ??= cause;
    }
  }
  if (firstFailure !== undefined) {
    throw new StateValueCorruptError(key, "getList", { cause: firstFailure, readable: items });
  }
  return items;
}
