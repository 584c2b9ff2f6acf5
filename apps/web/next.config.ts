import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Tests and benchmarks build into their own directory (BATON_NEXT_DIST_DIR), so a test run
  // never rebuilds the `.next` a running `npm start` serves. Build-time setting, not app config.
  distDir: process.env.BATON_NEXT_DIST_DIR || ".next",
  // Workspace packages ship TypeScript sources; Next compiles them with the app.
  transpilePackages: [
    "@baton/agent-protocol",
    "@baton/core",
    "@baton/state-postgres",
    "@baton/state-redis",
    "@baton/state-sqlite",
  ],
  // Native and connection-holding modules stay outside the bundle.
  serverExternalPackages: ["better-sqlite3", "ioredis", "pg"],
  poweredByHeader: false,
  // Server code unminified: Sentry reports and logs then name the error class and the functions
  // in the stack (minified, a RequestFailureError arrived as "eN"); size does not matter here.
  experimental: { serverMinification: false },
};

export default nextConfig;
