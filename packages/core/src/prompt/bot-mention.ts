/** The message without the bot's own mention, which Slack renders as `@name`. */
export function stripBotMention(text: string, botName: string): string {
  return text.replace(new RegExp(`(^|\\s)@${escapeRegExp(botName)}\\b`, "gi"), " ").trim();
}

/**
 * The request without the mention that addressed it: only a mention at the very start is
 * removed, so the Markdown after it (code, quotes, a later `@name`) stays exactly as written.
 */
export function stripLeadingBotMention(markdown: string, botName: string): string {
  return markdown.replace(new RegExp(`^\\s*@${escapeRegExp(botName)}\\b[ \\t]*`, "i"), "");
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
