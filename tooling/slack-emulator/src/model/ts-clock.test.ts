import { describe, expect, it } from "vitest";
import { compareTs, createTsClock, isTs } from "./ts-clock";

describe("createTsClock", () => {
  it("formats seconds.micros and stays strictly increasing when the clock stalls or goes back", () => {
    let now = 1_700_000_000_123;
    const clock = createTsClock({ now: () => now });
    const first = clock.next();
    expect(first).toBe("1700000000.123000");
    expect(clock.next()).toBe("1700000000.123001");
    now -= 5_000;
    expect(clock.next()).toBe("1700000000.123002");
    now += 10_000;
    expect(clock.next()).toBe("1700000005.123000");
  });

  it("compares and validates ts strings numerically", () => {
    expect(compareTs("999999999.000001", "1700000000.000000")).toBeLessThan(0);
    expect(isTs("1700000000.000100")).toBe(true);
    expect(isTs("1700000000.1")).toBe(false);
  });
});
