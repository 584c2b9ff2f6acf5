import { defineConfig } from "vitest/config";

// The one test entry point: `vitest run --config vitest.workspace.ts` runs every project.
export default defineConfig({
  test: {
    projects: [
      "packages/*/vitest.config.ts",
      "apps/*/vitest.config.ts",
      "tooling/*/vitest.config.ts",
    ],
  },
});
