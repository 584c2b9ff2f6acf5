import { assertBatonBuilt, buildBatonApp } from "@baton/stack";

/**
 * Builds the app once per test run, before any test file starts: the end-to-end tests run the
 * production server (`next start`) against this build, so they test what is deployed. When
 * `npm test` runs the web files in several lanes it builds once itself first and says so.
 */
export default async function setup(): Promise<void> {
  if (process.env.BATON_TEST_PREBUILT === "1") {
    assertBatonBuilt();
    return;
  }
  const { durationMs } = await buildBatonApp();
  console.info(`[web] next build took ${(durationMs / 1000).toFixed(1)} s`);
}
