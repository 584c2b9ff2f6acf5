import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

export const CHROMIUM_PATH = "/usr/bin/chromium";
/** Without a colour emoji font the plan's ✅ ⏳ ⬜ show as empty boxes in the screenshots. */
const EMOJI_FONT = "/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf";

/**
 * Debian's Chromium for playwright-core (its own browser downloads are unreachable here), and a
 * colour emoji font. Installed when missing and the tests run as root; otherwise a missing
 * Chromium fails the test with the command to run.
 */
export function ensureChromium(): string {
  const missing = [
    ...(existsSync(CHROMIUM_PATH) ? [] : ["chromium"]),
    ...(existsSync(EMOJI_FONT) ? [] : ["fonts-noto-color-emoji"]),
  ];
  if (missing.length === 0) return CHROMIUM_PATH;
  if (process.getuid?.() !== 0) {
    if (existsSync(CHROMIUM_PATH)) return CHROMIUM_PATH; // only the emoji font is missing

    throw new Error(
      `Chromium is not installed at ${CHROMIUM_PATH}. Install it with: sudo apt-get install -y chromium fonts-noto-color-emoji`,
    );
  }
  execFileSync("apt-get", ["update"], { stdio: "inherit" });
  execFileSync("apt-get", ["install", "-y", ...missing], { stdio: "inherit" });
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`apt-get installed no ${CHROMIUM_PATH}`);
  return CHROMIUM_PATH;
}
