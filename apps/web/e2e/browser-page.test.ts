import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type LocalStack, startLocalStack } from "@baton/stack";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureChromium } from "./support/chromium";

/** Screenshots the README shows (docs/screenshots at the repository's root). */
const SHOTS = join(dirname(fileURLToPath(import.meta.url)), "../../../docs/screenshots");
const STEP_MS = 20_000;

describe("the emulator page, as a user sees Baton in Slack", () => {
  let stack: LocalStack;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const executablePath = ensureChromium();
    mkdirSync(SHOTS, { recursive: true });
    // A demo agent slow enough to watch: three plan steps, then the answer in four pieces.
    stack = await startLocalStack({
      backend: "sqlite",
      agent: { demo: { delayMs: 16_000, progressSteps: 3, streamPieces: 3, slowDelayMs: 40_000 } },
    });
    browser = await chromium.launch({ executablePath, args: ["--no-sandbox"] });
    page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
    await page.goto(`${stack.slack.url}/?channel=${stack.channel}`);
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  const bot = () => page.locator(".replies .msg.bot");
  const shot = (name: string) => page.screenshot({ path: join(SHOTS, name), fullPage: true });

  async function mention(text: string) {
    await page.fill("#input", text);
    await page.click("#mention");
  }

  const count = (selector: ReturnType<Page["locator"]>) => selector.count();

  it("shows the request seen at once, the plan as tasks, the streamed answer, then the answer with Retry", async () => {
    await mention("why is the **nightly build** red? Check the `pnpm test` output, s'il te plaît");
    // Seen at once: the thread status and the :eyes: reaction, before the agent says anything.
    await page.getByText("is on it…").waitFor({ timeout: STEP_MS });
    await page.getByText(":eyes: 1").waitFor({ timeout: STEP_MS });
    expect(await count(bot())).toBe(0);
    await shot("1-seen-at-once.png");

    // Slack's native stream: the plan's title is the status line, each step a task.
    const stream = bot().filter({
      has: page.locator(".plan-title", { hasText: "Demo step 2 of 3" }),
    });
    await stream.waitFor({ timeout: STEP_MS });
    expect(await stream.getAttribute("class")).toContain("streaming");
    expect(await count(stream.locator(".task.complete"))).toBe(1);
    expect(await count(stream.locator(".task.in_progress"))).toBe(1);
    expect(await count(stream.locator(".task.pending"))).toBe(1);
    expect(await count(page.locator("button.stop"))).toBe(1);
    await shot("2-plan.png");

    const streaming = bot().filter({ hasText: "You said" });
    await streaming.waitFor({ timeout: STEP_MS });
    expect(await streaming.getAttribute("class")).toContain("streaming");
    expect(await count(bot())).toBe(1);
    await shot("3-streaming.png");

    const answer = bot().filter({ has: page.locator("button", { hasText: "Retry" }) });
    await answer.waitFor({ timeout: STEP_MS });
    // The answer is posted first, then the stream is stopped and deleted: never nothing shown.
    await expect.poll(() => count(bot()), { timeout: STEP_MS }).toBe(1);
    expect(await answer.getAttribute("class")).not.toContain("streaming");
    expect(await count(answer.locator("strong", { hasText: "Baton demo agent" }))).toBe(1);
    expect(await answer.locator(".text").textContent()).not.toContain("**");
    expect(await count(answer.locator(".text li"))).toBeGreaterThan(2);
    expect(await count(page.getByText("is on it…"))).toBe(0);
    expect(await count(page.locator("button.stop"))).toBe(0);
    await shot("4-answer.png");
  });

  it("stops a streaming run from the agent session's native Stop button", async () => {
    // Post to the channel, not into the first thread.
    await page.locator("#target button").click();
    await mention("[slow] rename every `Foo` to `Bar` — partout");
    const thread = page.locator("#log > .msg").filter({ hasText: "rename every" });
    await thread
      .locator(".msg.bot .plan-title", { hasText: "Demo step 1 of 3" })
      .waitFor({ timeout: 30_000 });
    await thread.locator("button.stop").click();
    await thread.getByText("Stopped, as you asked.").waitFor({ timeout: STEP_MS });
    await page.waitForTimeout(1_500);
    expect(await count(thread.locator(".msg.bot .plan"))).toBe(0);
    expect(await count(thread.locator(".msg.bot.streaming"))).toBe(0);
    expect(await count(thread.locator("button.stop"))).toBe(0);
    await shot("5-native-stop.png");
  });
});
