import type { IncomingMessage, ServerResponse } from "node:http";
import type { EmulatorFile } from "../types";

/** Largest upload the emulator accepts (Slack's own limit is 1 GB; tests need far less). */
export const MAX_UPLOAD_BYTES = 64 * 1024 * 1024;

/** A file the workspace hosts, with its bytes. */
export interface HostedFile {
  file: EmulatorFile;
  bytes: Buffer;
}

/**
 * The workspace's files: those users share with their messages and those the bot uploads
 * (files.getUploadURLExternal → POST to the upload URL → files.completeUploadExternal). Bytes are
 * served at the `url_private` path, to the bot token of the file's workspace only, as Slack does.
 */
export interface FileStore {
  /** Hosts a user's file; its bytes are `content`, or a deterministic pattern of `size` bytes. */
  host(file: EmulatorFile): HostedFile;
  get(id: string): HostedFile | undefined;
  /** Opens an upload slot (files.getUploadURLExternal). */
  reserve(id: string, name: string, length: number): void;
  /** Turns a finished upload into a hosted file (files.completeUploadExternal). */
  complete(id: string, title: string | undefined): HostedFile | undefined;
  /** Serves `/files-pri/…` (GET) and `/upload/{id}` (POST); false when the path is not ours. */
  handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean>;
}

/** The bytes a file without explicit content is served with: its name, repeated, to `size`. */
export function patternBytes(name: string, size: number): Buffer {
  const seed = Buffer.from(`${name}:`, "utf8");
  const bytes = Buffer.alloc(size);
  for (let offset = 0; offset < size; offset += seed.length) seed.copy(bytes, offset);
  return bytes;
}

export function createFileStore(options: {
  /** The workspace a bot token belongs to (any installed workspace's), or undefined. */
  teamOfToken: (token: string) => string | undefined;
  uploadBase: () => string;
}) {
  const hosted = new Map<string, HostedFile>();
  const uploads = new Map<string, { name: string; length: number; bytes?: Buffer }>();
  let uploaded = 0;

  function host(file: EmulatorFile): HostedFile {
    const bytes =
      file.content === undefined
        ? patternBytes(file.name, file.size)
        : Buffer.from(file.content as string | Uint8Array);
    const entry = {
      file: { ...file, size: file.testServing?.reportedSize ?? bytes.length },
      bytes,
    };
    hosted.set(file.id, entry);
    return entry;
  }

  async function serveFile(req: IncomingMessage, res: ServerResponse, url: URL) {
    // /files-pri/{team}-{id}/{name} or /files-pri/{team}-{id}/download/{name}
    const [, team, id] = /^\/files-pri\/([A-Z0-9]+)-([A-Z0-9]+)\//.exec(url.pathname) ?? [];
    const entry = id ? hosted.get(id) : undefined;
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    // The bot token of the workspace the file lives in, as Slack requires.
    if (!token || !team || options.teamOfToken(token) !== team) {
      // Slack answers a request without a valid token with its sign-in page, not an error.
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end("<!DOCTYPE html><html><body>Sign in to Slack</body></html>");
      return;
    }
    if (!entry) {
      res.writeHead(404, { "content-type": "text/plain" }).end("file not found");
      return;
    }
    const testServing = entry.file.testServing;
    res.writeHead(200, {
      "content-type": entry.file.mimetype,
      ...(testServing?.omitContentLength ? {} : { "content-length": String(entry.bytes.length) }),
    });
    if (testServing?.stallAfterBytes !== undefined) {
      // Test-only: part of the body, then silence until the client gives up or the emulator stops.
      res.write(entry.bytes.subarray(0, testServing.stallAfterBytes));
      return;
    }
    res.end(entry.bytes);
  }

  async function receiveUpload(req: IncomingMessage, res: ServerResponse, url: URL) {
    const id = url.pathname.slice("/upload/".length);
    const slot = uploads.get(id);
    if (!slot || req.method !== "POST") {
      res.writeHead(404, { "content-type": "text/plain" }).end("no such upload");
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_UPLOAD_BYTES) {
        res.writeHead(413).end();
        return;
      }
      chunks.push(chunk as Buffer);
    }
    const body = Buffer.concat(chunks);
    const type = String(req.headers["content-type"] ?? "");
    slot.bytes = type.includes("multipart/form-data") ? firstFilePart(body, type) : body;
    res.writeHead(200, { "content-type": "text/plain" }).end(`OK - ${slot.bytes.length}`);
  }

  const store: FileStore = {
    host,
    get: (id) => hosted.get(id),
    reserve(id, name, length) {
      uploads.set(id, { name, length });
    },
    complete(id, title) {
      const slot = uploads.get(id);
      if (!slot?.bytes) return undefined;
      uploads.delete(id);
      const name = title || slot.name;
      return host({
        id,
        name,
        mimetype: mimeTypeOf(name),
        size: slot.bytes.length,
        content: slot.bytes,
      });
    },
    async handle(req, res, url) {
      if (url.pathname.startsWith("/files-pri/")) {
        await serveFile(req, res, url);
        return true;
      }
      if (url.pathname.startsWith("/upload/")) {
        await receiveUpload(req, res, url);
        return true;
      }
      return false;
    },
  };
  return {
    ...store,
    uploadUrl: (id: string) => `${options.uploadBase()}/upload/${id}`,
    /** Ids of uploaded files (`FUP…`), apart from those tests give users' files. */
    newId: () => `FUP${(++uploaded).toString(36).toUpperCase().padStart(8, "0")}`,
  };
}

export type EmulatorFileStore = ReturnType<typeof createFileStore>;

/** The content of the first part of a multipart body (the client sends the file as one part). */
function firstFilePart(body: Buffer, contentType: string): Buffer {
  const boundary = /boundary=("?)([^";]+)\1/.exec(contentType)?.[2];
  if (!boundary) return body;
  const delimiter = Buffer.from(`--${boundary}`);
  const start = body.indexOf(delimiter);
  const headersEnd = body.indexOf("\r\n\r\n", start);
  const end = body.indexOf(Buffer.from(`\r\n--${boundary}`), headersEnd);
  if (start < 0 || headersEnd < 0 || end < 0) return body;
  return body.subarray(headersEnd + 4, end);
}

const MIME_BY_EXTENSION: Record<string, string> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  txt: "text/plain",
  md: "text/markdown",
  csv: "text/csv",
  json: "application/json",
  pdf: "application/pdf",
  log: "text/plain",
};

function mimeTypeOf(name: string): string {
  return (
    MIME_BY_EXTENSION[name.split(".").pop()?.toLowerCase() ?? ""] ?? "application/octet-stream"
  );
}
