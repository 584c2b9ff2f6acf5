import { createMemoryState } from "@chat-adapter/state-memory";
import { describe, expect, it } from "vitest";
import { createIdentityStore } from "./identity-store";

describe("forgetting a workspace's identities", () => {
  it("removes every identity linked in the workspace and keeps the others", async () => {
    const state = createMemoryState();
    await state.connect();
    const identities = createIdentityStore(state, { now: () => 1 });
    const inFirst = { platform: "slack", workspaceId: "T0FIRST01", userId: "U0ADA00001" };
    const alsoFirst = { platform: "slack", workspaceId: "T0FIRST01", userId: "U0JOSE0001" };
    const inSecond = { platform: "slack", workspaceId: "T0SECOND1", userId: "U0ADA00001" };
    await identities.link(inFirst, "acct-ada");
    await identities.link(alsoFirst, "acct-josé");
    await identities.link(inSecond, "acct-ada-2");

    expect(await identities.forgetWorkspaceIdentities("T0FIRST01")).toBe(2);
    expect(await identities.accountOf(inFirst)).toBeUndefined();
    expect(await identities.accountOf(alsoFirst)).toBeUndefined();
    expect(await identities.accountOf(inSecond)).toBe("acct-ada-2");
    // Linking again after an uninstall is forgotten by the next uninstall too.
    await identities.link(inFirst, "acct-ada");
    await identities.forgetWorkspaceIdentities("T0FIRST01");
    expect(await identities.accountOf(inFirst)).toBeUndefined();
  });
});
