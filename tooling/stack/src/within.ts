/**
 * Settles like `work`, or rejects with `expired()` once `ms` have passed first. The work itself
 * is not stopped: this bounds how long a caller waits on something that may never settle.
 */
export function within<T>(work: T | Promise<T>, ms: number, expired: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(expired()), Math.max(0, ms));
  });
  return Promise.race([Promise.resolve(work), deadline]).finally(() => clearTimeout(timer));
}
