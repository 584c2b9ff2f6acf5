/** Messages between the benchmark and an emulator child process (see emulator-child.ts). */

export type EmulatorOp = "compose" | "threadReplies" | "stats";

export interface EmulatorCall {
  id: number;
  op: EmulatorOp;
  args: unknown[];
}

export type ChildMessage =
  | { kind: "ready"; apiUrl: string }
  | { kind: "result"; id: number; value: unknown }
  | { kind: "failure"; id: number; message: string };
