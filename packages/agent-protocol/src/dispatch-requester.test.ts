import { describe, expect, it } from "vitest";
import { DispatchRequestSchema, parseDispatchRequestBody } from "./dispatch";
import { MAX_AUTHOR_BYTES, MAX_SETTING_BYTES } from "./limits";
import { body, dispatchRequest } from "./test-fixtures";

const REQUESTER = {
  userId: "U0789ADA01",
  workspaceId: "T0123ACME1",
  displayName: "Ada Lovelace — Ødegård",
  accountId: "acct_42",
};

describe("dispatch requester and route settings", () => {
  it("round-trips who asked and the route's settings", () => {
    const request = dispatchRequest({
      requester: REQUESTER,
      settings: { repository: "git@github.com:acme/ledger.git", branch: "release/2.4" },
    });
    expect(parseDispatchRequestBody(body(request))).toEqual({ ok: true, request });
  });

  it("keeps both optional: a dispatch without them parses as before", () => {
    const result = parseDispatchRequestBody(body(dispatchRequest()));
    expect(result.ok && result.request.requester).toBeUndefined();
  });

  it("refuses a requester without a user id and oversized names or settings", () => {
    const issues = (value: unknown) => [
      ...new Set(DispatchRequestSchema.safeParse(value).error?.issues.map((i) => i.path.join("."))),
    ];
    expect(issues({ ...dispatchRequest(), requester: { workspaceId: "T1" } })).toEqual([
      "requester.userId",
    ]);
    expect(
      issues({
        ...dispatchRequest(),
        requester: { userId: "U1", displayName: "é".repeat(MAX_AUTHOR_BYTES) },
        settings: { branch: "b".repeat(MAX_SETTING_BYTES + 1) },
      }),
    ).toEqual(["requester.displayName", "settings.branch"]);
  });
});
