import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createSqliteState } from "./sqlite-state-adapter";
import { silentLogger } from "./test-support/silent-logger";
import { useTempDir } from "./test-support/temp-db";
import { runTogether, startWorker } from "./test-support/workers";

const tempDir = useTempDir();

describe("durability across processes", () => {
  it("reads in a later process everything an earlier, exited process wrote", async () => {
    const path = join(tempDir(), "nested", "state.db");
    const [lock] = await runTogether([{ kind: "write-all", path, synchronous: "FULL" }]);
    expect(lock).toMatchObject({ threadId: "lock", token: expect.stringMatching(/^sqlite_/) });

    const [read] = await runTogether([{ kind: "read-all", path }]);
    expect(read).toEqual({
      cache: { nested: ["value"] },
      forever: "kept",
      list: [1, 2],
      queueDepth: 1,
      dequeued: "q1",
      subscribed: true,
      lockFree: false,
    });
  });

  it.each(["FULL", "NORMAL"] as const)(
    "keeps every acknowledged write when the writer is killed with SIGKILL (synchronous=%s)",
    async (synchronous) => {
      const path = join(tempDir(), "state.db");
      const worker = startWorker({ kind: "ack-writes", path, synchronous });
      let acknowledged = -1;
      const enough = new Promise<void>((resolve) =>
        worker.onLine((line) => {
          acknowledged = Number(line.slice("ack ".length));
          if (acknowledged >= 300) resolve();
        }),
      );
      await worker.ready;
      worker.go();
      await enough;
      worker.child.kill("SIGKILL");
      await worker.exited;

      // The WAL left behind by the killed process is recovered on open.
      const state = createSqliteState({ path, logger: silentLogger });
      await state.connect();
      for (let i = 0; i <= acknowledged; i++) expect(await state.get(`ack:${i}`)).toBe(i);
      await state.disconnect();
    },
  );
});
