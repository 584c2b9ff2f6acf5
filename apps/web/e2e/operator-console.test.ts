import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { OPERATOR_FINALISED_NOTICE } from "@baton/core";
import { type LocalStack, startLocalStack, waitUntil } from "@baton/stack";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureChromium } from "./support/chromium";

const SHOTS = join(dirname(fileURLToPath(import.meta.url)), "../../../docs/screenshots");
const DEADLINE_MS = 3_000;
const STEP_MS = 20_000;

/**
 * An operator finds a request whose agent never called back (the in-process sweeper is off, as
 * when it is left to a cron that stopped), finalises it from the console with a confirmation, and
 * the user is told in the thread, as the emulator's page shows.
 */
describe("the operator console in a real browser", () => {
  let stack: LocalStack;
  let browser: Browser;
  let page: Page;
  const token = randomBytes(24).toString("hex");

  beforeAll(async () => {
    const executablePath = ensureChromium();
    mkdirSync(SHOTS, { recursive: true });
    stack = await startLocalStack({
      backend: "sqlite",
      env: {
        BATON_OPERATOR_TOKEN: token,
        BATON_REQUEST_DEADLINE_MS: String(DEADLINE_MS),
        BATON_SWEEP_INTERVAL_MS: "0",
      },
    });
    browser = await chromium.launch({ executablePath, args: ["--no-sandbox"] });
    page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  const shot = (name: string) => page.screenshot({ path: join(SHOTS, name), fullPage: true });
  const consoleUrl = () => `${stack.server.url}/console`;

  it("refuses what is not signed in", async () => {
    const action = await fetch(`${stack.server.url}/api/internal/operator/actions`, {
      method: "POST",
      body: new URLSearchParams({ action: "finalise", botRequestId: "x".repeat(36), confirm: "x" }),
    });
    expect(action.status).toBe(401);
    await page.goto(consoleUrl());
    await page.fill("#token", "not-the-token-but-long-enough-0123456789");
    await page.click("#sign-in button");
    await page.getByText("That token is not the operator token.").waitFor({ timeout: STEP_MS });
    expect(page.url()).not.toContain("token=");
    expect(await page.locator("table.requests").count()).toBe(0);
  });

  it("finds a stuck request, finalises it after confirming, and the user is told", async () => {
    const { threadTs } = await stack.mention(
      "[never] regenerate the lockfile: `pnpm install --lockfile-only --ignore-scripts` — vite → rolldown, s’il te plaît",
    );
    const { botRequestId } = await stack.waitForDispatch(threadTs);
    await stack.waitForRecord(botRequestId, (r) => r.status === "running");
    await waitUntil(
      async () => ((await stack.record(botRequestId))?.deadlineAt ?? Date.now()) < Date.now(),
      { what: "the deadline to pass with no sweeper", timeoutMs: DEADLINE_MS + 5_000 },
    );

    await page.goto(consoleUrl());
    await page.fill("#token", token);
    await page.click("#sign-in button");
    const row = page.locator(`tr[data-request-id="${botRequestId}"]`);
    await row.waitFor({ timeout: STEP_MS });
    expect(page.url()).toBe(consoleUrl());
    expect(await row.textContent()).toContain("stuck");
    expect(await page.locator("table.state-running tr[data-request-id]").count()).toBe(1);
    const cookies = await page.context().cookies();
    expect(cookies.map((c) => [c.name, c.httpOnly, c.sameSite])).toEqual([
      ["baton_operator", true, "Strict"],
    ]);
    expect(cookies[0]?.value).not.toContain(token);
    await shot("console-1-requests.png");

    // Search by the thread id the row shows.
    const threadId = (await row.locator("td").nth(2).textContent()) ?? "";
    expect(threadId).toContain(threadTs);
    await page.fill("#search input[name=q]", threadId);
    await page.click("#search button");
    await row.waitFor({ timeout: STEP_MS });
    expect(await page.locator("tr[data-request-id]").count()).toBe(1);

    await row.locator("a").click();
    await page.locator("#timeline").waitFor({ timeout: STEP_MS });
    const steps = await page
      .locator("#timeline tr")
      .evaluateAll((rows) => rows.map((r) => r.getAttribute("data-step")));
    expect(steps).toEqual(["received", "stored", "dispatched"]);
    await shot("console-2-timeline.png");

    await page.locator('a[data-action="finalise"]').click();
    await page.locator("#confirm").waitFor({ timeout: STEP_MS });
    // Nothing happened yet: only the confirmation is shown.
    expect((await stack.record(botRequestId))?.finalizedAt).toBeUndefined();
    await shot("console-3-confirm.png");
    await page.click("#confirm-action");
    await page.locator("#result").waitFor({ timeout: STEP_MS });
    expect(await page.locator("#result").textContent()).toBe("finalise done: finalised-user-told");
    const after = await page
      .locator("#timeline tr")
      .evaluateAll((rows) => rows.map((r) => r.getAttribute("data-step")));
    expect(after).toEqual(["received", "stored", "dispatched", "finalised", "operator"]);
    expect(await page.locator("#actions").count()).toBe(0);
    await shot("console-4-finalised.png");

    const record = await stack.record(botRequestId);
    expect(record).toMatchObject({ status: "error", error: { code: "operator_finalised" } });
    const notice = await stack.waitForReply(threadTs, (m) => m.text === OPERATOR_FINALISED_NOTICE);
    expect(stack.replies(threadTs).filter((m) => m.ts === notice.ts)).toHaveLength(1);

    await page.goto(consoleUrl());
    expect(await page.locator("#audit").textContent()).toContain("done:finalised-user-told");

    // The user's view: the emulator's page shows the notice in the thread.
    await page.goto(`${stack.slack.url}/?channel=${stack.channel}`);
    await page
      .locator(".replies .msg.bot")
      .filter({ hasText: "An operator ended this request" })
      .waitFor({ timeout: STEP_MS });
    await shot("console-5-user-told.png");
  });
});
