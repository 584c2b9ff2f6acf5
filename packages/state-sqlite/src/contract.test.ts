import { join } from "node:path";
import { describeStateAdapterContract } from "@baton/testing";
import { createSqliteState } from "./sqlite-state-adapter";
import { silentLogger } from "./test-support/silent-logger";
import { useTempDir } from "./test-support/temp-db";

const tempDir = useTempDir();

// The Redis semantics, with no declared deviations: each case gets its own fresh file.
describeStateAdapterContract("sqlite (@baton/state-sqlite)", {
  async create() {
    const state = createSqliteState({ path: join(tempDir(), "state.db"), logger: silentLogger });
    await state.connect();
    return state;
  },
});
