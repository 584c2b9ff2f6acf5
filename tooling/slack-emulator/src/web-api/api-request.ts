import type { IncomingHttpHeaders } from "node:http";
import type { RecordedApiCall } from "../types";

/** A Web API request decoded the way Slack accepts it: form, JSON or query string. */
export interface ApiRequest {
  params: Record<string, unknown>;
  token?: string;
  tokenSource: RecordedApiCall["tokenSource"];
  encoding: RecordedApiCall["encoding"];
}

export type ParsedApiRequest =
  | { kind: "ok"; request: ApiRequest }
  | { kind: "error"; error: string };

export function parseApiRequest(
  httpMethod: string,
  url: URL,
  headers: IncomingHttpHeaders,
  body: string,
): ParsedApiRequest {
  const contentType = String(headers["content-type"] ?? "").toLowerCase();
  let params: Record<string, unknown> = Object.fromEntries(url.searchParams);
  let encoding: ApiRequest["encoding"] = url.searchParams.size > 0 ? "query" : "none";

  if (httpMethod === "POST" && body.length > 0) {
    if (contentType.includes("application/json")) {
      try {
        const parsed: unknown = JSON.parse(body);
        if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
          return { kind: "error", error: "invalid_json" };
        }
        params = { ...params, ...(parsed as Record<string, unknown>) };
      } catch {
        return { kind: "error", error: "invalid_json" };
      }
      encoding = "json";
    } else if (contentType.includes("multipart/form-data")) {
      // File uploads are not emulated.
      return { kind: "error", error: "invalid_form_data" };
    } else {
      params = { ...params, ...Object.fromEntries(new URLSearchParams(body)) };
      encoding = "form";
    }
  }

  const header = String(headers.authorization ?? "");
  const bearer = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
  const bodyToken = typeof params.token === "string" ? params.token : undefined;
  delete params.token;
  // Slack reads the JSON token from the header only.
  const token = bearer ?? (encoding === "json" ? undefined : bodyToken);
  const tokenSource = bearer ? "header" : token ? "body" : "none";
  return { kind: "ok", request: { params, token, tokenSource, encoding } };
}

/** A Slack `{ok:false, error}` answer raised from inside a method handler. */
export class SlackApiFailure extends Error {
  readonly code = "SLACK_API_FAILURE";
  readonly slackError: string;

  constructor(slackError: string) {
    super(slackError);
    this.name = "SlackApiFailure";
    this.slackError = slackError;
  }
}

export function fail(slackError: string): never {
  throw new SlackApiFailure(slackError);
}

export function optionalString(params: Record<string, unknown>, key: string): string | undefined {
  const value = params[key];
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return fail("invalid_arguments");
}

export function requiredString(
  params: Record<string, unknown>,
  key: string,
  error = "invalid_arguments",
): string {
  return optionalString(params, key) ?? fail(error);
}

export function optionalNumber(params: Record<string, unknown>, key: string): number | undefined {
  const raw = optionalString(params, key);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  return Number.isFinite(value) ? value : fail("invalid_arguments");
}

export function optionalBoolean(params: Record<string, unknown>, key: string): boolean | undefined {
  const raw = optionalString(params, key);
  if (raw === undefined) return undefined;
  return raw === "true" || raw === "1";
}

/** A JSON-valued argument: form posts carry it as a JSON string, JSON posts as a value. */
export function optionalJson(
  params: Record<string, unknown>,
  key: string,
  error: string,
): unknown | undefined {
  const value = params[key];
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    return fail(error);
  }
}
