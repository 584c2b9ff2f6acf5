/**
 * The demo executor's files: it reads every file the dispatch lists (through Baton) and reports
 * what it read, and it attaches files when the prompt asks:
 *   [file]       attaches two files (a CSV report and Markdown notes)
 *   [file:big]   attaches the CSV report and one file larger than Baton takes
 *   [file:gone]  attaches the CSV report and one that cannot be fetched (404)
 */
import type { Attachment, DispatchFile } from "@baton/agent-protocol";
import type { ExecutorContext, ExecutorRequest } from "./executor";

export type FileMarker = "file" | "file:big" | "file:gone";

export function readFileMarker(prompt: string): FileMarker | undefined {
  const match = /\[(file(?::big|:gone)?)\]/i.exec(prompt);
  return match ? (match[1]?.toLowerCase() as FileMarker) : undefined;
}

/** One line per listed file: where it came from, what Baton said about it, what was read. */
export async function describeListedFiles(
  request: ExecutorRequest,
  context: ExecutorContext,
): Promise<string[]> {
  const listed: { file: DispatchFile; from: string }[] = [
    ...(request.files ?? []).map((file) => ({ file, from: "this message" })),
    ...request.context.history.flatMap((message, index) =>
      (message.files ?? []).map((file) => ({ file, from: `history #${index + 1}` })),
    ),
  ];
  const lines: string[] = [];
  for (const { file, from } of listed) {
    const read = await context.readFile(file);
    const about = `- File \`${file.name}\` (${file.kind}, ${file.mimeType ?? "unknown type"}, ${file.size ?? "?"} bytes, ${from})`;
    lines.push(
      read.kind === "read"
        ? `${about}: read ${read.bytes.length} bytes, sha256 ${read.sha256.slice(0, 16)}`
        : `${about}: refused ${read.status} ${read.code}`,
    );
  }
  return lines;
}

export function demoAttachments(marker: FileMarker, filesUrl: string): Attachment[] {
  const at = (name: string) => ({ title: name, url: `${filesUrl}/${encodeURIComponent(name)}` });
  switch (marker) {
    case "file":
      return [at("latency-report.csv"), at("rollout-notes.md")];
    case "file:big":
      return [at("latency-report.csv"), at("heap-dump.bin")];
    case "file:gone":
      return [at("latency-report.csv"), at("deleted-trace.json")];
  }
}
