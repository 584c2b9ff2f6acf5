/**
 * The one way wire bodies are read: size cap, JSON, version, discriminator, schema. Bad input is
 * an expected outcome and comes back as a result with a code; this never throws for input.
 */
import type { z } from "zod";
import { PROTOCOL_VERSION } from "./limits";
import { utf8ByteLength } from "./primitives";

export type ParseFailureCode =
  | "body_too_large"
  | "invalid_json"
  | "invalid_body"
  | "unsupported_version"
  | "unknown_type";

export interface ParseIssue {
  /** Where in the body, e.g. `context.history[2].text`; empty for the root. */
  path: string;
  message: string;
}

export interface ParseFailure {
  ok: false;
  code: ParseFailureCode;
  /** Safe to return to the sender: zod messages name the expectation, never echo the input. */
  issues?: ParseIssue[];
}

export type ParseOutcome<T> = { ok: true; value: T } | ParseFailure;

export const MAX_REPORTED_ISSUES = 20;

export interface ParseWireBodyOptions<T> {
  schema: z.ZodType<T>;
  maxBytes: number;
  /** Whether the body must carry `protocolVersion` (requests and callbacks do; answers do not). */
  versioned: boolean;
  /** For unions: the key and its known values, so an unknown value gets its own code. */
  discriminator?: { key: string; values: readonly string[] };
}

export function parseWireBody<T>(raw: string, options: ParseWireBodyOptions<T>): ParseOutcome<T> {
  if (typeof raw !== "string") {
    return fail("invalid_body", [{ path: "", message: "Expected the raw body as a string" }]);
  }
  if (raw.length > options.maxBytes || utf8ByteLength(raw) > options.maxBytes) {
    return fail("body_too_large", [
      { path: "", message: `Body exceeds ${options.maxBytes} bytes` },
    ]);
  }

  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return fail("invalid_json");
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    return fail("invalid_body", [{ path: "", message: "Expected a JSON object" }]);
  }
  const record = json as Record<string, unknown>;

  // Only a number names a version; a missing or mistyped field is an ordinary invalid_body.
  if (options.versioned) {
    const version = record.protocolVersion;
    if (typeof version === "number" && version !== PROTOCOL_VERSION) {
      return fail("unsupported_version", [
        { path: "protocolVersion", message: `Supported versions: ${PROTOCOL_VERSION}` },
      ]);
    }
  }

  const discriminator = options.discriminator;
  if (discriminator) {
    const value = record[discriminator.key];
    if (typeof value === "string" && !discriminator.values.includes(value)) {
      return fail("unknown_type", [
        { path: discriminator.key, message: `Expected one of: ${discriminator.values.join(", ")}` },
      ]);
    }
  }

  let result: ReturnType<z.ZodType<T>["safeParse"]>;
  try {
    result = options.schema.safeParse(json);
  } catch {
    // Belt and braces: a schema bug or a pathological input must still end as a result.
    return fail("invalid_body");
  }
  if (!result.success) return fail("invalid_body", toIssues(result.error.issues));
  return { ok: true, value: result.data };
}

export function toIssues(issues: readonly z.core.$ZodIssue[]): ParseIssue[] {
  return issues
    .slice(0, MAX_REPORTED_ISSUES)
    .map((issue) => ({ path: formatPath(issue.path), message: issue.message }));
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else out += out === "" ? String(segment) : `.${String(segment)}`;
  }
  return out;
}

function fail(code: ParseFailureCode, issues?: ParseIssue[]): ParseFailure {
  return issues ? { ok: false, code, issues } : { ok: false, code };
}
