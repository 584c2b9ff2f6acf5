import { createHash } from "node:crypto";
import {
  type BatchOp,
  type BatchResult,
  storedListFromTexts,
  storedReadFromText,
} from "@baton/core";
import type { Lock } from "chat";
import { newLockToken } from "./lock-token";

/**
 * Runs a batch of StateAdapter ops (core's state-batch) in one round trip and atomically. KEYS[i]
 * is op i's key and ARGV[i + 1] its value (JSON text, a lock token or a thread id; empty for
 * none). ARGV[1] describes every op as `<code><ttl ms>,<list cap>;` (0: none), so a batch sends
 * one argument per op beside its key, not four: the client's work grows with its arguments.
 * Codes: g get; r a list's items; s set; n set-if-absent; l lock (a set-if-absent of the token);
 * u unlock (delete only if the token matches); d delete; a append to a list; b subscribe a
 * thread. An upper-case N or L stops the batch when refused: the rest answer -1. The whole batch
 * is checked before any op runs. The commands and their options are the ones the Chat SDK's
 * ioredis adapter sends, so a batch and single calls store exactly the same thing.
 */
export const BATCH_SCRIPT = `
local ops = {}
for code, ttl, max in string.gmatch(ARGV[1], "(%a)(%d+),(%d+);") do
  if not string.find("grsnNlLudab", code, 1, true) then
    return redis.error_reply("unknown batch op " .. code)
  end
  ops[#ops + 1] = { code, tonumber(ttl), tonumber(max) }
end
if #ops ~= #KEYS or #ARGV ~= #KEYS + 1 then
  return redis.error_reply("batch of " .. #KEYS .. " keys and " .. #ARGV .. " args describes " .. #ops .. " ops")
end
local out = {}
local stopped = false
for i = 1, #ops do
  local code, ttl, max = ops[i][1], ops[i][2], ops[i][3]
  local key = KEYS[i]
  local value = ARGV[i + 1]
  if stopped then
    out[i] = -1
  elseif code == "g" then
    out[i] = redis.call("GET", key)
  elseif code == "r" then
    out[i] = redis.call("LRANGE", key, 0, -1)
  elseif code == "s" then
    if ttl > 0 then redis.call("SET", key, value, "PX", ttl) else redis.call("SET", key, value) end
    out[i] = 1
  elseif code == "n" or code == "N" or code == "l" or code == "L" then
    local ok
    if ttl > 0 then
      ok = redis.call("SET", key, value, "PX", ttl, "NX")
    else
      ok = redis.call("SET", key, value, "NX")
    end
    if ok then
      out[i] = 1
    else
      out[i] = 0
      if code == "N" or code == "L" then stopped = true end
    end
  elseif code == "u" then
    if value ~= "" and redis.call("GET", key) == value then redis.call("DEL", key) end
    out[i] = 1
  elseif code == "d" then
    redis.call("DEL", key)
    out[i] = 1
  elseif code == "a" then
    redis.call("RPUSH", key, value)
    if max > 0 then redis.call("LTRIM", key, -max, -1) end
    if ttl > 0 then redis.call("PEXPIRE", key, ttl) end
    out[i] = 1
  elseif code == "b" then
    redis.call("SADD", key, value)
    out[i] = 1
  end
end
return out
`;

/** Computed once at start-up; the script is loaded under it (SCRIPT LOAD) when the state connects. */
export const BATCH_SCRIPT_SHA = createHash("sha1").update(BATCH_SCRIPT).digest("hex");

/**
 * Keys as the Chat SDK's ioredis adapter lays them out: `{prefix}:{cache|list|lock}:{key}`, and
 * its one set of subscribed threads, `{prefix}:subscriptions`.
 */
export interface BatchKeys {
  cache(key: string): string;
  list(key: string): string;
  lock(lockId: string): string;
  subscriptions(): string;
}

export interface EncodedBatch {
  keys: string[];
  args: string[];
  /** The tokens of the locks the batch may take, by op index. */
  tokens: Map<number, Lock>;
}

export function encodeBatch(ops: readonly BatchOp[], keys: BatchKeys, now: number): EncodedBatch {
  const encoded: EncodedBatch = { keys: [], args: [""], tokens: new Map() };
  let header = "";
  for (const [index, op] of ops.entries()) {
    const [key, code, value, ttlMs] = encodeOp(op, index, keys, now, encoded.tokens);
    const max = op.kind === "appendToList" ? (op.maxLength ?? 0) : 0;
    const ttl = ttlMs && ttlMs > 0 ? Math.ceil(ttlMs) : 0;
    header += `${code}${ttl},${max > 0 ? Math.floor(max) : 0};`;
    encoded.keys.push(key);
    encoded.args.push(value);
  }
  encoded.args[0] = header;
  return encoded;
}

function encodeOp(
  op: BatchOp,
  index: number,
  keys: BatchKeys,
  now: number,
  tokens: Map<number, Lock>,
): [key: string, code: string, value: string, ttlMs: number | undefined] {
  switch (op.kind) {
    case "get":
      return [keys.cache(op.key), "g", "", 0];
    case "getList":
      return [keys.list(op.key), "r", "", 0];
    case "set":
      return [keys.cache(op.key), "s", JSON.stringify(op.value), op.ttlMs];
    case "setIfNotExists":
      return [keys.cache(op.key), op.stopIfRefused ? "N" : "n", JSON.stringify(op.value), op.ttlMs];
    case "delete":
      return [keys.cache(op.key), "d", "", 0];
    case "appendToList":
      return [keys.list(op.key), "a", JSON.stringify(op.value), op.ttlMs];
    case "subscribe":
      return [keys.subscriptions(), "b", op.threadId, 0];
    case "acquireLock": {
      const token = newLockToken();
      tokens.set(index, { threadId: op.lockId, token, expiresAt: now + op.ttlMs });
      return [keys.lock(op.lockId), op.stopIfRefused ? "L" : "l", token, op.ttlMs];
    }
    case "releaseLock": {
      // A lock of this batch that was refused keeps its token here: the script's compare fails.
      const lock = "lock" in op ? op.lock : tokens.get(op.acquiredAt);
      return [keys.lock(lock?.threadId ?? ""), "u", lock?.token ?? "", 0];
    }
  }
}

/** The script's answer, op by op, as core's BatchResult. */
export function decodeBatch(
  ops: readonly BatchOp[],
  encoded: EncodedBatch,
  reply: readonly unknown[],
): BatchResult[] {
  const results: BatchResult[] = [];
  ops.forEach((op, index) => {
    const raw = reply[index];
    if (raw === -1) {
      results.push({ kind: "skipped" });
      return;
    }
    switch (op.kind) {
      case "get":
        results.push({
          kind: "read",
          read: storedReadFromText(typeof raw === "string" ? raw : null, op.key),
        });
        return;
      case "getList":
        results.push({
          kind: "list",
          read: storedListFromTexts(
            Array.isArray(raw) ? raw.filter((item) => typeof item === "string") : [],
            op.key,
          ),
        });
        return;
      case "setIfNotExists":
        results.push({ kind: "stored", stored: raw === 1 });
        return;
      case "acquireLock":
        results.push({
          kind: "lock",
          lock: raw === 1 ? (encoded.tokens.get(index) ?? null) : null,
        });
        return;
      default:
        results.push({ kind: "done" });
    }
  });
  return results;
}
