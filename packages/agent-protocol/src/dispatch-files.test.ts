import { describe, expect, it } from "vitest";
import { parseDispatchRequestBody } from "./dispatch";
import type { DispatchFile } from "./dispatch-files";
import { body, dispatchRequest } from "./test-fixtures";

const GRAPH: DispatchFile = {
  kind: "image",
  name: "p99-latency — café.png",
  mimeType: "image/png",
  size: 48_213,
  width: 1600,
  height: 900,
  url: "https://baton.example.com/api/internal/bot-request-files/req_01JH8Z3K4M5N6P7Q8R9S/f0",
};

describe("files in a dispatch", () => {
  it("reads the prompt's files and a history message's files", () => {
    const request = dispatchRequest({ files: [GRAPH] });
    request.context.history = [
      { role: "user", text: "earlier", files: [{ ...GRAPH, url: `${GRAPH.url}1` }] },
    ];
    const parsed = parseDispatchRequestBody(body(request));
    expect(parsed.ok && parsed.request.files).toEqual([GRAPH]);
    expect(parsed.ok && parsed.request.context.history[0]?.files?.[0]?.name).toBe(GRAPH.name);
  });

  it("refuses a file without a URL, of an unknown kind, or too many", () => {
    const { url: _url, ...noUrl } = GRAPH;
    for (const files of [[noUrl], [{ ...GRAPH, kind: "pdf" }], Array(21).fill(GRAPH)]) {
      const parsed = parseDispatchRequestBody(body({ ...dispatchRequest(), files }));
      expect(parsed.ok).toBe(false);
    }
  });
});
