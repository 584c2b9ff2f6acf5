/** The message without the bot's own mention, which Slack renders as `@name`. */
export function stripBotMention(text: string, botName: string): string {
  return text.replace(new RegExp(`(^|\\s)@${escapeRegExp(botName)}\\b`, "gi"), " ").trim();
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
