import type { StateAdapter } from "chat";
import { StateValueCorruptError } from "../errors";

/** One stored value as a store sees it: there, absent, or there but undecodable. */
export type StoredRead<T> =
  | { kind: "found"; value: T }
  | { kind: "missing" }
  | { kind: "corrupt"; reason: string };

/** A stored list: the items that decoded, and whether any did not. */
export interface StoredListRead<T> {
  items: T[];
  corrupt: boolean;
}

/** The reason recorded for a value the backend could not decode (no content, ever). */
export const UNDECODABLE = "undecodable";

/**
 * Reads one value; a value the backend cannot decode becomes `corrupt` here, so each store
 * decides what that means for its request. An unavailable store still throws.
 */
export async function readStored<T = unknown>(
  state: StateAdapter,
  key: string,
): Promise<StoredRead<T>> {
  try {
    const value = await state.get<T>(key);
    return value === null || value === undefined ? { kind: "missing" } : { kind: "found", value };
  } catch (error) {
    if (error instanceof StateValueCorruptError) return { kind: "corrupt", reason: UNDECODABLE };
    throw error;
  }
}

/** Reads a list; undecodable items are left out (the rest are still worked through). */
export async function readStoredList<T = unknown>(
  state: StateAdapter,
  key: string,
): Promise<StoredListRead<T>> {
  try {
    return { items: await state.getList<T>(key), corrupt: false };
  } catch (error) {
    if (error instanceof StateValueCorruptError) return corruptListRead<T>(error);
    throw error;
  }
}

/** A list some of whose items did not decode: the ones that did, flagged. */
export function corruptListRead<T>(error: StateValueCorruptError): StoredListRead<T> {
  return { items: [...(error.readable ?? [])] as T[], corrupt: true };
}

/** A stored id (a string value); anything else stored there is corrupt. */
export async function readStoredId(state: StateAdapter, key: string): Promise<StoredRead<string>> {
  const read = await readStored(state, key);
  if (read.kind === "found" && typeof read.value !== "string") {
    return { kind: "corrupt", reason: `not-a-string:${typeof read.value}` };
  }
  return read as StoredRead<string>;
}
