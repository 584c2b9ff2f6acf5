export * from "./errors";
export { guardStateAdapter } from "./state/guarded-state";
