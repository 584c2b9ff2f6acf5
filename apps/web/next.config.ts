import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Workspace packages ship TypeScript sources; Next compiles them with the app.
  transpilePackages: [
    "@baton/agent-protocol",
    "@baton/core",
    "@baton/state-redis",
    "@baton/state-sqlite",
  ],
  // Native and connection-holding modules stay outside the bundle.
  serverExternalPackages: ["better-sqlite3", "ioredis"],
  poweredByHeader: false,
};

export default nextConfig;
