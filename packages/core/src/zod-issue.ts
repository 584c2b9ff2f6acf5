import type { z } from "zod";

/** A short, content-free reason for a failed parse: where it failed and how, never the value. */
export function describeFirstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return `invalid:${issue?.path.join(".") || "(root)"}:${issue?.code ?? "unknown"}`;
}
