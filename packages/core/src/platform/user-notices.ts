/** What users read in the thread when something other than the answer happens. */
export const USER_NOTICES = {
  dispatchFailed:
    "Sorry, I could not hand this to the agent, so nothing is running. Please try again in a moment.",
  stateLost:
    "Sorry, the agent finished, but I lost the context needed to post its answer here. The operators have been told.",
  /** The agent's reason, when it gave one, is what the user needs to decide what to do next. */
  cancelled: (reason?: string) =>
    reason?.trim() ? `This request was cancelled: ${reason.trim()}` : "This request was cancelled.",
  stopped: "Stopped, as you asked.",
  nothingToStop: "Nothing is running in this thread.",
  queued: "Got it. I will pick this up as soon as the current request in this thread is done.",
  invalidOptions: (problems: readonly string[]) => `I did not start this: ${problems.join(" ")}`,
  deadline:
    "Sorry, the agent did not answer in time, so I stopped waiting. Please try again, perhaps with a smaller ask.",
  /** Says whether asking again could help, when the agent said (`error.retryable`). */
  agentFailed: (message: string, retryable?: boolean) =>
    `The agent could not finish this: ${message}${retryAdvice(retryable)}`,
  progress: (message: string, step?: number, totalSteps?: number) =>
    step !== undefined && totalSteps !== undefined
      ? `_Working (${step}/${totalSteps}):_ ${message}`
      : `_Working:_ ${message}`,
  alreadyOver:
    "This request is already over, so there is nothing to cancel. Use Retry to run it again.",
  retryUnavailable: "I could not find the original message to run again. Please mention me again.",
  /** The status line while the agent sent a plan or text but no status line. */
  working: "_Working…_",
} as const;

function retryAdvice(retryable: boolean | undefined): string {
  if (retryable === undefined) return "";
  return retryable
    ? "\n_This may work if you ask again in a moment._"
    : "\n_Asking again the same way will not help._";
}
