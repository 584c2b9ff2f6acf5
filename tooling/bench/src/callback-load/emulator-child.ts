/**
 * Child-process entry: runs the fixture Slack emulator on its own event loop and answers the
 * benchmark over IPC, so the emulator's CPU is neither on the load generator's loop nor counted
 * in its figures. Exits when the parent goes away.
 */
import { createFixtureSlackEmulator } from "@baton/testing";
import type { ChildMessage, EmulatorCall } from "./emulator-ipc";
import { createEmulatorService } from "./emulator-service";

const emulator = createFixtureSlackEmulator();
const { apiUrl } = await emulator.start();
const service = createEmulatorService(emulator);

function send(message: ChildMessage): void {
  process.send?.(message);
}

function run(call: EmulatorCall): unknown {
  switch (call.op) {
    case "compose":
      return service.compose(call.args[0] as string[], call.args[1] as string);
    case "threadReplies":
      return service.threadReplies(call.args[0] as string[]);
    case "stats":
      return service.stats();
  }
}

process.on("message", (call: EmulatorCall) => {
  try {
    send({ kind: "result", id: call.id, value: run(call) });
  } catch (error) {
    send({ kind: "failure", id: call.id, message: String(error) });
  }
});
process.once("disconnect", () => {
  void emulator.stop().finally(() => process.exit(0));
});
send({ kind: "ready", apiUrl });
