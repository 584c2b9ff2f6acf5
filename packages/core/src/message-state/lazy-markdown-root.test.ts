import { parseMarkdown, type Root } from "chat";
import { describe, expect, it } from "vitest";
import { lazyMarkdownRoot } from "./lazy-markdown-root";

const SOURCE = "## Plan\n\n- read the **logs**\n- fix `ci.yml`\n\nsee https://example.com";

function counted(source: string) {
  const calls = { parses: 0 };
  const root = lazyMarkdownRoot(() => {
    calls.parses++;
    return parseMarkdown(source);
  });
  return { root, calls };
}

describe("lazyMarkdownRoot", () => {
  it("parses nothing until a parsed field is read, and then once", () => {
    const { root, calls } = counted(SOURCE);
    expect(root.type).toBe("root");
    expect(calls.parses).toBe(0);
    expect(root.children.length).toBeGreaterThan(0);
    expect(root.position).toBeDefined();
    expect(calls.parses).toBe(1);
  });

  it("reads exactly as the parsed tree, whichever way it is read first", () => {
    const parsed = parseMarkdown(SOURCE);
    expect(JSON.parse(JSON.stringify(counted(SOURCE).root))).toEqual(
      JSON.parse(JSON.stringify(parsed)),
    );
    expect(structuredClone(counted(SOURCE).root)).toEqual(structuredClone(parsed));
    expect({ ...counted(SOURCE).root }).toEqual({ ...parsed });
    expect(Object.keys(counted(SOURCE).root).sort()).toEqual(Object.keys(parsed).sort());
  });

  it("takes writes like a plain object, after parsing first", () => {
    const { root, calls } = counted(SOURCE);
    const replaced: Root["children"] = [];
    root.children = replaced;
    expect(calls.parses).toBe(1);
    expect(root.children).toBe(replaced);
    expect(root.position).toEqual(parseMarkdown(SOURCE).position);
  });

  it("lists the keys of a parsed tree before anything is read", () => {
    const { root, calls } = counted(SOURCE);
    expect(Object.keys(root).sort()).toEqual(Object.keys(parseMarkdown(SOURCE)).sort());
    expect(calls.parses).toBe(0);
  });
});
