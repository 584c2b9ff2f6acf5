import { buildBatonApp } from "@baton/stack";

/**
 * Builds the app once per test run, before any test file starts: the end-to-end tests run the
 * production server (`next start`) against this build, so they test what is deployed.
 */
export default async function setup(): Promise<void> {
  const { durationMs } = await buildBatonApp();
  console.info(`[web] next build took ${(durationMs / 1000).toFixed(1)} s`);
}
