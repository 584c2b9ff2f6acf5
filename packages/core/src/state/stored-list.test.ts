import { describe, expect, it } from "vitest";
import { storedListFromTexts } from "./state-batch";

describe("storedListFromTexts (a backend's raw list items in a batch)", () => {
  it("decodes every item, in order", () => {
    const texts = [
      '"br_1"',
      JSON.stringify({ id: "br_2", text: "日本語 — `rm -rf --no-preserve-root`" }),
    ];
    expect(storedListFromTexts(texts, "bot-thread-queue:x")).toEqual({
      items: ["br_1", { id: "br_2", text: "日本語 — `rm -rf --no-preserve-root`" }],
      corrupt: false,
    });
  });

  it("leaves out undecodable items and flags the list, keeping the rest", () => {
    const read = storedListFromTexts(['"br_1"', "{not json", '"br_3"'], "bot-thread-queue:x");
    expect(read).toEqual({ items: ["br_1", "br_3"], corrupt: true });
  });
});
