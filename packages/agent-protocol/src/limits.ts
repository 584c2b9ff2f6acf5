/**
 * Wire limits of protocol version 1. Text limits count UTF-8 bytes (what crosses the wire and what
 * storage pays for), not UTF-16 code units. Changing any of them is a protocol change: agents are
 * told these numbers in the README.
 */

export const PROTOCOL_VERSION = 1;

const KiB = 1024;
const MiB = 1024 * KiB;

/** Largest callback body Baton reads; larger bodies are refused before any HMAC work. */
export const MAX_CALLBACK_BODY_BYTES = 1 * MiB;
/** Largest dispatch body an agent must accept (the history budget in core stays well below). */
export const MAX_DISPATCH_BODY_BYTES = 4 * MiB;
/** Largest cancel body and largest agent response body either side reads. */
export const MAX_SMALL_BODY_BYTES = 16 * KiB;

/** Baton-chosen id; it also appears in the callback URL path, so the charset is URL-safe. */
export const MAX_BOT_REQUEST_ID_LENGTH = 128;
/** Agent-chosen ids (agentSessionId, executionId) and Baton's sessionId echo of them. */
export const MAX_AGENT_ID_LENGTH = 256;
/** platform, threadId, channelId. */
export const MAX_CONTEXT_ID_LENGTH = 512;

export const MAX_PROMPT_BYTES = 128 * KiB;
export const MAX_PREAMBLE_BYTES = 64 * KiB;
export const MAX_HISTORY_MESSAGES = 1000;
export const MAX_HISTORY_TEXT_BYTES = 128 * KiB;
export const MAX_AUTHOR_BYTES = 256;
/** A route setting (a repository URL or name, a branch). */
export const MAX_SETTING_BYTES = 1024;
/** People and channels named in the prompt and the history (`context.mentions`). */
export const MAX_MENTIONS = 200;

export const MAX_MODEL_LENGTH = 128;
export const MAX_OPTIONS_EXTRA_KEYS = 32;
export const MAX_OPTIONS_EXTRA_KEY_LENGTH = 64;
export const MAX_OPTIONS_EXTRA_ARRAY_ITEMS = 64;
/** Serialized size of `options.extra` as JSON. */
export const MAX_OPTIONS_EXTRA_BYTES = 8 * KiB;

export const MAX_URL_LENGTH = 2048;

export const MAX_PROGRESS_MESSAGE_BYTES = 4 * KiB;
export const MAX_PROGRESS_STEPS = 10_000;
/** A progress plan: at most this many steps, each title this long. */
export const MAX_PLAN_STEPS = 50;
export const MAX_PLAN_STEP_TITLE_BYTES = 256;
/** One piece of the answer streamed in a progress callback. */
export const MAX_TEXT_DELTA_BYTES = 16 * KiB;
/** Markdown answer of a `completed` callback. Chat platforms cap far lower; Baton chunks. */
export const MAX_ANSWER_TEXT_BYTES = 256 * KiB;
export const MAX_ATTACHMENTS = 20;
export const MAX_ATTACHMENT_TITLE_BYTES = 512;
/** Files listed per message of a dispatch (the triggering one, each history message). */
export const MAX_FILES_PER_MESSAGE = 20;
export const MAX_FILE_NAME_BYTES = 512;
export const MAX_MIME_TYPE_LENGTH = 255;
export const MAX_ERROR_CODE_LENGTH = 64;
export const MAX_ERROR_MESSAGE_BYTES = 4 * KiB;
export const MAX_CANCEL_REASON_BYTES = 1 * KiB;

/** Standard Webhooks headers. */
export const MAX_WEBHOOK_ID_LENGTH = 128;
export const MAX_SIGNATURE_HEADER_LENGTH = 1024;

/** Secrets: both the server secret and a derived per-request secret carry at least 256 bits. */
export const MIN_SERVER_SECRET_BYTES = 32;
export const MIN_REQUEST_SECRET_BYTES = 32;

/** Standard Webhooks' recommended replay window, in either direction. */
export const DEFAULT_TOLERANCE_SECONDS = 300;
