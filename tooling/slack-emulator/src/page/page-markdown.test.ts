import { describe, expect, it } from "vitest";
import { renderMessageHtml } from "./page-markdown";

describe("the page renders message text as Slack shows it", () => {
  it("renders bold, italic, code, headings, lists and fences without their markers", () => {
    const html = renderMessageHtml(
      [
        "## Why the build is red",
        "",
        "**Baton demo agent**, turn *2* — _déjà vu_ with `pnpm -r --filter ./apps/*`",
        "- first: ~old~ new",
        "• second",
        "1. one",
        "```sh",
        "pnpm install --frozen-lockfile <no-html> && echo **not bold**",
        "```",
        "> quoted",
        "see https://example.com/a?b=1",
      ].join("\n"),
    );
    expect(html).toContain("<h4>Why the build is red</h4>");
    expect(html).toContain("<strong>Baton demo agent</strong>");
    expect(html).toContain("<strong>2</strong>");
    expect(html).toContain("<em>déjà vu</em>");
    expect(html).toContain("<code>pnpm -r --filter ./apps/*</code>");
    expect(html).toContain(
      "<ul><li>first: <del>old</del> new</li><li>second</li></ul><ol><li>one</li></ol>",
    );
    expect(html).toContain(
      "<pre><code>pnpm install --frozen-lockfile &lt;no-html&gt; &amp;&amp; echo **not bold**</code></pre>",
    );
    expect(html).toContain("<blockquote>quoted</blockquote>");
    expect(html).toContain('<a href="https://example.com/a?b=1"');
    expect(html.replace(/<pre>.*?<\/pre>/g, "")).not.toMatch(/\*\*|##|```/);
  });

  it("escapes HTML everywhere", () => {
    const html = renderMessageHtml('<img src=x onerror="alert(1)"> *<b>x</b>*');
    expect(html).not.toContain("<img");
    expect(html).not.toContain("<b>");
    expect(html).toContain("&lt;img");
  });

  it("is self-contained, so the page can embed its source", () => {
    const source = renderMessageHtml.toString();
    const rebuilt = new Function(`return (${source})`)() as typeof renderMessageHtml;
    expect(rebuilt("**x**")).toBe("<div><strong>x</strong></div>");
  });
});
