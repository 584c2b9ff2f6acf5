import type { HostileCase } from "./hostile-case";
import type { RawAnswer } from "./raw-post";

/** How a refusal must look: a code, nothing else (no message, no stack, no echo of input). */
const CODE_PATTERN = /^[a-z][a-z0-9_]{0,63}$/;
const MAX_LISTED_VIOLATIONS = 20;
const MAX_BODY_SHOWN = 200;

/** Why an answer is wrong; empty when it is the refusal the case asked for. */
export function judgeAnswer(hostile: HostileCase, answer: RawAnswer): string[] {
  const problems: string[] = [];
  const shown = answer.text.slice(0, MAX_BODY_SHOWN);
  if (answer.status >= 500) problems.push(`a ${answer.status}: ${shown}`);
  else if (answer.status < 400) problems.push(`not a refusal: ${answer.status} ${shown}`);
  if (!answer.contentType.startsWith("application/json")) {
    problems.push(`content-type "${answer.contentType}"`);
  }
  const code = errorCode(answer.text);
  if (code === undefined) problems.push(`body is not exactly {"error":{"code"}}: ${shown}`);
  const { status, codes } = hostile.expect;
  if (answer.status !== status || code === undefined || !codes.includes(code)) {
    problems.push(`expected ${status} ${codes.join("|")}, got ${answer.status} ${code ?? shown}`);
  }
  return problems;
}

function errorCode(text: string): string | undefined {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(body) || Object.keys(body).join() !== "error") return undefined;
  const error = body.error;
  if (!isRecord(error) || Object.keys(error).join() !== "code") return undefined;
  return typeof error.code === "string" && CODE_PATTERN.test(error.code) ? error.code : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export interface Violation {
  run: number;
  category: string;
  variant: string;
  detail: Record<string, unknown>;
  problems: string[];
}

/** The figures of one run: cases per category and variant, statuses, codes, violations. */
export function createTally() {
  const categories = new Map<string, number>();
  const variants = new Map<string, number>();
  const statuses = new Map<string, number>();
  const codes = new Map<string, number>();
  const violations: Violation[] = [];
  let cases = 0;
  const bump = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);

  return {
    violations,
    get cases() {
      return cases;
    },
    record(hostile: HostileCase, answer: RawAnswer | undefined, problems: string[]) {
      cases += 1;
      bump(categories, hostile.category);
      bump(variants, `${hostile.category}/${hostile.variant}`);
      bump(statuses, answer ? String(answer.status) : "no answer");
      if (answer) bump(codes, errorCode(answer.text) ?? "(no code)");
      if (problems.length > 0) {
        const { category, variant, detail } = hostile;
        violations.push({ run: cases, category, variant, detail, problems });
      }
    },
    /** Problems found outside any one case (the final state comparison). */
    addViolation(problems: string[]) {
      violations.push({ run: 0, category: "(whole run)", variant: "", detail: {}, problems });
    },
    summary(header: string): string {
      const list = (map: Map<string, number>) =>
        [...map.entries()]
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([key, count]) => `${key} ${count}`)
          .join(", ");
      const shown = violations.slice(0, MAX_LISTED_VIOLATIONS).map((v) => {
        const where = `#${v.run} ${v.category}/${v.variant} ${JSON.stringify(v.detail)}`;
        return `    ${where}\n      ${v.problems.join("\n      ")}`;
      });
      return [
        header,
        `  cases: ${cases} in ${categories.size} categories, ${variants.size} variants`,
        `  per category: ${list(categories)}`,
        `  per variant: ${list(variants)}`,
        `  statuses: ${list(statuses)}`,
        `  codes: ${list(codes)}`,
        `  violations: ${violations.length}`,
        ...shown,
      ].join("\n");
    },
  };
}

export type Tally = ReturnType<typeof createTally>;
