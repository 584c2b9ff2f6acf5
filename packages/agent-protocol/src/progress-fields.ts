/**
 * The optional parts of a `progress` callback (protocol version 1, added without a version bump:
 * every field is optional, and an agent that sends only `message` is read as before).
 *   message    the status line ("Reading the CI logs")
 *   plan       the whole plan as it stands: each step a title and a state (sent whole, the newest by
 *              `sequence` wins, so a lost or reordered update repairs itself with the next one)
 *   textDelta  the next piece of the answer being written; Baton assembles the pieces in `sequence`
 *              order, however they arrive, each piece once
 *   sessionUrl where a person can watch or open the agent's session (an "Open session" button)
 */
import { z } from "zod";
import { MAX_PLAN_STEP_TITLE_BYTES, MAX_PLAN_STEPS, MAX_TEXT_DELTA_BYTES } from "./limits";
import { boundedText, HttpUrlSchema } from "./primitives";

export const PLAN_STEP_STATES = ["pending", "in_progress", "done", "failed", "skipped"] as const;
export type PlanStepState = (typeof PLAN_STEP_STATES)[number];

export const PlanStepSchema = z.object({
  title: boundedText(MAX_PLAN_STEP_TITLE_BYTES, { minLength: 1 }),
  state: z.enum(PLAN_STEP_STATES),
});

export const PlanSchema = z.array(PlanStepSchema).min(1).max(MAX_PLAN_STEPS);

export type PlanStep = z.infer<typeof PlanStepSchema>;
export type Plan = z.infer<typeof PlanSchema>;

export const TextDeltaSchema = boundedText(MAX_TEXT_DELTA_BYTES, { minLength: 1 });

export const SessionUrlSchema = HttpUrlSchema;

/** True when a progress callback carries something to show. */
export function hasProgressContent(fields: {
  message?: string | undefined;
  plan?: Plan | undefined;
  textDelta?: string | undefined;
  sessionUrl?: string | undefined;
}): boolean {
  return (
    fields.message !== undefined ||
    fields.plan !== undefined ||
    fields.textDelta !== undefined ||
    fields.sessionUrl !== undefined
  );
}
