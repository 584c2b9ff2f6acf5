import type { EmulatorUser } from "../types";

/** Converts between what a person types on the page and Slack mrkdwn, and back for display. */

function nameOf(user: EmulatorUser): string {
  return user.displayName || user.name;
}

/** Escapes `& < >` and turns `@name` of known users into `<@ID>`. */
export function typedTextToMrkdwn(text: string, users: EmulatorUser[]): string {
  const escaped = text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  return escaped.replace(/@([\w.-]+)/g, (whole, handle: string) => {
    const lower = handle.toLowerCase();
    const user = users.find(
      (u) => u.name.toLowerCase() === lower || nameOf(u).toLowerCase() === lower,
    );
    return user ? `<@${user.id}>` : whole;
  });
}

/** Renders mrkdwn tokens as a person would see them (`<@U1>` becomes `@alice`). */
export function mrkdwnToDisplay(
  text: string,
  lookupUser: (id: string) => EmulatorUser | undefined,
  lookupChannel: (id: string) => string | undefined,
): string {
  const replaced = text.replace(/<([^<>]+)>/g, (whole, inner: string) => {
    const [target = "", label] = inner.split("|", 2);
    if (target.startsWith("@")) {
      const user = lookupUser(target.slice(1));
      return `@${label ?? (user ? nameOf(user) : target.slice(1))}`;
    }
    if (target.startsWith("#"))
      return `#${label ?? lookupChannel(target.slice(1)) ?? target.slice(1)}`;
    if (target.startsWith("!")) return `@${target.slice(1).split("^")[0]}`;
    if (/^(https?|mailto):/.test(target)) return label ?? target;
    return whole;
  });
  return replaced.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}
