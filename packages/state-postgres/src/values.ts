import { createValueRules } from "@baton/core";
import { PostgresStateError } from "./errors";

/** Values cross the store as JSON text; TTLs and caps follow the Redis reference (see core). */
export const { serialize, requireTtl, optionalTtl, lengthCap } = createValueRules(
  (code, message, options) => new PostgresStateError(code, message, options),
);
