import { DISPATCH_CHECK_DELAY_MS } from "../keys";

/**
 * When the sweeper first looks at a request filed now: shortly, to catch one whose dispatch a
 * crash cut short, or at its deadline when that comes sooner. The sweeper files the request at
 * its deadline once it finds it dispatched, so a mention costs no extra write for the check.
 */
export function dispatchCheckAt(now: number, deadlineAt: number): number {
  return Math.min(deadlineAt, now + DISPATCH_CHECK_DELAY_MS);
}
