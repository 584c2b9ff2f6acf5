import * as Sentry from "@sentry/nextjs";

/**
 * Runs once per server start. Node-only work lives in instrumentation-node.ts. `NEXT_RUNTIME` is
 * not configuration: Next inlines it at build time, and only this literal form lets the edge
 * build drop the Node-only import (which is why it is read here and not through env.ts).
 */
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { startServer } = await import("./instrumentation-node");
    startServer();
  }
}

export const onRequestError = Sentry.captureRequestError;
