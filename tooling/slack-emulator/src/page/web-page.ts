import { renderMessageHtml } from "./page-markdown";
import { renderStreamPlanHtml, STREAM_PLAN_STYLE } from "./stream-plan-html";

/** The emulator's one page: a channel view with threads, live by polling `/emulator/state`. */

export interface WebPageOptions {
  botName: string;
  teamName: string;
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE = `
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,sans-serif;color:#1d1c1d;background:#f8f8f8}
header{background:#3f0e40;color:#fff;padding:8px 16px;display:flex;gap:12px;align-items:center}
header h1{font-size:16px;margin:0;flex:1}header select{font:inherit}
#log{max-width:900px;margin:0 auto;padding:12px 16px 200px}
.msg{background:#fff;border:1px solid #e4e4e4;border-radius:6px;padding:8px 10px;margin:8px 0}
.msg.bot{border-left:4px solid #2eb67d}.msg.ephemeral{border-style:dashed;background:#fcfcf5}.meta{font-size:12px;color:#616061;display:flex;gap:8px;align-items:center}
.name{font-weight:700;color:#1d1c1d}.badge{font-size:11px;border-radius:3px;padding:0 4px;background:#e8e8e8}
.badge.app{background:#2eb67d;color:#fff}.badge.live{background:#e01e5a;color:#fff}
.text{word-wrap:break-word;margin-top:2px}.text .gap{height:.6em}
.text pre{background:#f6f6f6;border:1px solid #e0e0e0;border-radius:4px;padding:6px 8px;white-space:pre-wrap;margin:4px 0}
.text code{font:12px/1.4 ui-monospace,Menlo,monospace;background:#f2f2f2;border-radius:3px;padding:0 3px;color:#c01343}
.text pre code{background:none;color:#1d1c1d;padding:0}.text ul,.text ol{margin:2px 0;padding-left:22px}
.text h3,.text h4,.text h5,.text h6{margin:6px 0 2px;font-size:15px}.text blockquote{margin:2px 0;border-left:3px solid #ddd;padding-left:8px;color:#555}
.files .file{font-family:monospace;font-size:13px;border:1px solid #ddd;border-radius:4px;padding:4px 8px;margin-top:4px;display:inline-block;margin-right:6px}
.buttons{display:flex;gap:6px;margin-top:6px}.buttons button{font:inherit;font-weight:600;border:1px solid #bbb;background:#fff;border-radius:4px;padding:2px 12px;cursor:pointer}
.buttons a.button-link{font-weight:600;border:1px solid #bbb;border-radius:4px;padding:2px 12px;color:#1264a3;text-decoration:none}
button.stop{font:inherit;font-size:12px;border:1px solid #e01e5a;color:#e01e5a;background:#fff;border-radius:12px;padding:0 10px;margin-top:6px;cursor:pointer}
.buttons button.danger{color:#e01e5a;border-color:#e01e5a}.buttons button.primary{background:#007a5a;color:#fff;border-color:#007a5a}
.replies{margin:6px 0 0 18px;border-left:2px solid #ddd;padding-left:10px}
.replies .msg{margin:6px 0}.status{font-size:12px;color:#616061;font-style:italic}
button.link{border:0;background:none;color:#1264a3;cursor:pointer;padding:0;font-size:12px}
footer{position:fixed;bottom:0;left:0;right:0;background:#fff;border-top:1px solid #ddd;padding:10px 16px}
footer .row{max-width:900px;margin:0 auto;display:flex;gap:8px;align-items:flex-end}
textarea{flex:1;font:inherit;min-height:44px;padding:6px}#target,#note{max-width:900px;margin:0 auto 4px;font-size:12px;color:#616061}
`;

// The renderer's source is shipped as is; a transpiler that keeps function names (tsx/esbuild,
// as under npm start) leaves calls to its __name helper in it, which the page must define.
const SCRIPT = `
var __name = (target) => target;
const renderMessageHtml = ${renderMessageHtml.toString()};
const renderStreamPlanHtml = ${renderStreamPlanHtml.toString()};
const $ = (id) => document.getElementById(id);
let version = -1, channel = new URLSearchParams(location.search).get("channel") || "", threadTs = "", bot = null;
function el(tag, cls, text) { const e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; }
function time(ts) { return new Date(parseFloat(ts) * 1000).toLocaleTimeString(); }
function renderMessage(m, root) {
  const box = el("div", "msg" + (m.isBot ? " bot" : "") + (m.streaming ? " streaming" : ""));
  const meta = el("div", "meta");
  meta.append(el("span", "name", m.userName));
  if (m.isBot) meta.append(el("span", "badge app", "APP"));
  if (m.streaming) meta.append(el("span", "badge live", "streaming…"));
  if (m.edited) meta.append(el("span", "badge", "edited"));
  meta.append(el("span", "", time(m.ts)));
  if (root) {
    const reply = el("button", "link", "Reply in thread");
    reply.onclick = () => { threadTs = m.ts; showTarget(); $("input").focus(); };
    meta.append(reply);
  }
  const text = el("div", "text"); text.innerHTML = renderMessageHtml(m.text);
  box.append(meta);
  if (m.plan) { const plan = el("div", "plan-box"); plan.innerHTML = renderStreamPlanHtml(m.plan); box.append(plan); }
  box.append(text);
  if (m.files && m.files.length) {
    const files = el("div", "files");
    for (const name of m.files) files.append(el("div", "file", "\u{1F4CE} " + name));
    box.append(files);
  }
  if (m.buttons && m.buttons.length) {
    const row = el("div", "buttons");
    for (const b of m.buttons) {
      if (b.url) {
        const link = el("a", "button-link", b.label); link.href = b.url; link.target = "_blank"; link.rel = "noopener";
        row.append(link); continue;
      }
      const button = el("button", b.style || "", b.label);
      button.dataset.action = b.actionId;
      button.onclick = () => clickButton(m.ts, b.actionId);
      row.append(button);
    }
    box.append(row);
  }
  if (m.reactions.length) box.append(el("div", "meta", m.reactions.map((r) => ":" + r.name + ": " + r.count).join("  ")));
  return box;
}
function renderEphemeral(e) {
  const box = el("div", "msg ephemeral"), meta = el("div", "meta");
  meta.append(el("span", "name", "@" + bot.name), el("span", "badge", "only visible to " + e.user), el("span", "", time(e.ts)));
  const text = el("div", "text"); text.innerHTML = renderMessageHtml(e.text);
  box.append(meta, text);
  return box;
}
function render(s) {
  bot = s.bot; channel = s.channel ? s.channel.id : channel;
  $("title").textContent = (s.channel ? "#" + s.channel.name : "no channel") + " (bot @" + s.bot.name + ")";
  const pick = $("channel"); pick.replaceChildren(...s.channels.map((c) => { const o = el("option", "", "#" + c.name); o.value = c.id; o.selected = c.id === channel; return o; }));
  const who = $("user"), keep = who.value;
  who.replaceChildren(...s.users.filter((u) => !u.isBot).map((u) => { const o = el("option", "", u.name); o.value = u.id; return o; }));
  if (keep) who.value = keep;
  $("note").textContent = s.webhookConfigured ? "" : "No bot events URL is configured: messages are stored but no bot is told.";
  const log = $("log"), atBottom = innerHeight + scrollY >= document.body.scrollHeight - 40;
  const ephemerals = s.ephemerals || [];
  log.replaceChildren(...s.messages.map((m) => {
    const box = renderMessage(m, true);
    const own = ephemerals.filter((e) => e.threadTs === m.ts);
    if (m.replies.length || m.status || own.length) {
      const replies = el("div", "replies");
      for (const r of m.replies) replies.append(renderMessage(r, false));
      for (const e of own) replies.append(renderEphemeral(e));
      if (m.status) replies.append(el("div", "status", "@" + s.bot.name + " " + m.status));
      if (m.replies.some((r) => r.isBot && (r.streaming || (r.buttons && r.buttons.some((b) => b.actionId === "baton-cancel"))))) {
        // Slack shows its own stop button while the agent works (a status message with Cancel, or
        // a native stream); here it sends agent_session_stopped.
        const stop = el("button", "stop", "■ Stop"); stop.title = "The agent session's native stop button";
        stop.onclick = async () => {
          const r = await fetch("/emulator/stop", { method: "POST", headers: { "content-type": "application/json" },
            body: JSON.stringify({ channel, threadTs: m.ts, user: $("user").value }) });
          $("note").textContent = r.ok ? "agent_session_stopped sent" : (await r.json()).error;
        };
        replies.append(stop);
      }
      box.append(replies);
    }
    return box;
  }), ...ephemerals.filter((e) => !e.threadTs).map(renderEphemeral));
  if (atBottom) scrollTo(0, document.body.scrollHeight);
}
async function poll() {
  try {
    const r = await fetch("/emulator/state?channel=" + encodeURIComponent(channel) + "&since=" + version);
    const s = await r.json();
    if (!s.unchanged) { version = s.version; render(s); }
  } catch (e) { $("note").textContent = "Emulator unreachable: " + e; }
  setTimeout(poll, 1000);
}
async function clickButton(ts, actionId) {
  const r = await fetch("/emulator/click", { method: "POST", headers: { "content-type": "application/json" },
    body: JSON.stringify({ channel, ts, actionId, user: $("user").value }) });
  const out = await r.json();
  $("note").textContent = r.ok ? "block_actions " + actionId + ": " + (out.delivery.status === null ? out.delivery.error : "HTTP " + out.delivery.status) : out.error;
}
function showTarget() {
  const t = $("target"); t.replaceChildren();
  if (!threadTs) { t.textContent = "Posting to the channel"; return; }
  t.append("Replying in thread " + threadTs + " ");
  const x = el("button", "link", "(post to channel instead)"); x.onclick = () => { threadTs = ""; showTarget(); }; t.append(x);
}
async function send(mention) {
  const input = $("input"), text = input.value;
  if (!text.trim()) return;
  const r = await fetch("/emulator/messages", { method: "POST", headers: { "content-type": "application/json" },
    body: JSON.stringify({ channel, user: $("user").value, text, threadTs, mention: mention || undefined }) });
  const out = await r.json();
  if (!r.ok) { $("note").textContent = out.error; return; }
  input.value = "";
  const d = out.delivery;
  $("note").textContent = out.kind + " event " + d.eventId + ": " + (d.status === null ? d.error : "HTTP " + d.status);
  if (!threadTs && out.kind === "mention") { threadTs = d.ts; showTarget(); }
  version = -1;
}
$("send").onclick = () => send(false);
$("mention").onclick = () => send(true);
$("input").addEventListener("keydown", (e) => {
  if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); send(true); }
  else if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); send(false); }
});
$("channel").onchange = (e) => { channel = e.target.value; threadTs = ""; version = -1; showTarget(); };
showTarget(); poll();
`;

export function renderWebPage(options: WebPageOptions): string {
  const bot = escapeHtml(options.botName);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(options.teamName)}: Slack emulator</title><style>${STYLE}${STREAM_PLAN_STYLE}</style></head>
<body>
<header><h1 id="title">Slack emulator</h1><label>Channel <select id="channel"></select></label>
<label>You are <select id="user"></select></label></header>
<main id="log"></main>
<footer><div id="note"></div><div id="target"></div><div class="row">
<textarea id="input" placeholder="Message… (@${bot} mentions the bot; Enter sends, Ctrl+Enter sends as a mention)"></textarea>
<button id="send">Send</button><button id="mention">Mention @${bot}</button></div></footer>
<script>${SCRIPT}</script>
</body></html>`;
}
