/**
 * Typed errors for misuse and misconfiguration (thrown at construction, never for bad wire input:
 * that is an expected outcome and comes back as a discriminated result). Messages never contain
 * secret material.
 */
export type AgentProtocolErrorCode =
  | "SERVER_SECRET_INVALID"
  | "SIGNING_SECRET_INVALID"
  | "INVALID_ARGUMENT";

export class AgentProtocolError<
  C extends AgentProtocolErrorCode = AgentProtocolErrorCode,
> extends Error {
  readonly code: C;

  constructor(code: C, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

export type ServerSecretProblem = "none_configured" | "too_short" | "surrounding_whitespace";

/** A server secret (the root the per-request secrets derive from) is unusable. */
export class ServerSecretError extends AgentProtocolError<"SERVER_SECRET_INVALID"> {
  readonly problem: ServerSecretProblem;
  /** Position in the configured list, so an operator knows which rotation slot is wrong. */
  readonly index: number | undefined;

  constructor(problem: ServerSecretProblem, message: string, index?: number) {
    super("SERVER_SECRET_INVALID", message);
    this.problem = problem;
    this.index = index;
  }
}

export type SigningSecretProblem = "missing_prefix" | "not_base64" | "too_short";

/** A per-request `whsec_` signing secret handed to the agent is malformed. */
export class SigningSecretError extends AgentProtocolError<"SIGNING_SECRET_INVALID"> {
  readonly problem: SigningSecretProblem;

  constructor(problem: SigningSecretProblem, message: string) {
    super("SIGNING_SECRET_INVALID", message);
    this.problem = problem;
  }
}

/** A caller passed a value the protocol cannot represent (a broken invariant on the caller's side). */
export class ProtocolArgumentError extends AgentProtocolError<"INVALID_ARGUMENT"> {
  readonly argument: string;

  constructor(argument: string, message: string) {
    super("INVALID_ARGUMENT", message);
    this.argument = argument;
  }
}
