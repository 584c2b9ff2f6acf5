import { describeStateAdapterContract } from "@baton/testing";
import { usePostgres } from "./test-support/postgres";

const postgres = usePostgres();

// The Redis semantics, with no declared deviations: each case gets its own schema on one server.
describeStateAdapterContract("postgres (@baton/state-postgres)", {
  create: () => postgres.open(),
});
