import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { ACCOUNT_LINK_PATH, verifyAccountLinkConfirmation } from "@baton/agent-protocol";
import { afterEach, describe, expect, it } from "vitest";
import { parseCliOptions } from "./cli-options";
import { createLocalAgent, type LocalAgentHandle } from "./local-agent";

const LINK_SECRET = "link-secret-0123456789abcdef0123456789abcdef";
const TOKEN = "eyJjIjoiY3R4In0.c2lnbmVk";

/** What Baton's route does first: the protocol's verifier, over real HTTP. */
async function startVerifyingReceiver(status: number) {
  const received: { ok: boolean; accountId?: string; token?: string; path?: string }[] = [];
  const server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => {
      body += chunk.toString("utf8");
    });
    request.on("end", () => {
      const headers = new Headers();
      for (const [name, value] of Object.entries(request.headers)) {
        if (typeof value === "string") headers.set(name, value);
      }
      const verified = verifyAccountLinkConfirmation(
        { linkSecrets: [LINK_SECRET], now: Date.now },
        { headers, body },
      );
      received.push(
        verified.ok ? { ok: true, ...verified.confirmation, path: request.url } : { ok: false },
      );
      response.writeHead(verified.ok ? status : 401, { "content-type": "application/json" });
      response.end(JSON.stringify(verified.ok ? { linked: true } : { error: { code: "x" } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, received, stop: () => new Promise((r) => server.close(r)) };
}

describe("the account side of account linking", () => {
  let agent: LocalAgentHandle | undefined;
  afterEach(async () => {
    await agent?.stop();
    agent = undefined;
  });

  it("shows a sign-in form for the link's token and confirms the chosen account, signed", async () => {
    const baton = await startVerifyingReceiver(200);
    agent = await createLocalAgent({
      accountLink: { linkSecret: LINK_SECRET, batonUrl: () => baton.url },
    }).start();
    const page = await fetch(`${agent.url}/link?token=${TOKEN}&accountId=acct_ada`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(`name="token" value="${TOKEN}"`);
    expect(html).toContain('value="acct_ada"');

    const submitted = await fetch(`${agent.url}/link`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token: TOKEN, accountId: "acct_ada" }).toString(),
    });
    expect(submitted.status).toBe(200);
    expect(await submitted.text()).toContain("<code>acct_ada</code>");
    expect(baton.received).toEqual([
      {
        ok: true,
        protocolVersion: 1,
        token: TOKEN,
        accountId: "acct_ada",
        path: ACCOUNT_LINK_PATH,
      },
    ]);
    await baton.stop();
  });

  it("passes Baton's refusal on with its status, and refuses a bad account id itself", async () => {
    const baton = await startVerifyingReceiver(409);
    agent = await createLocalAgent({
      accountLink: { linkSecret: LINK_SECRET, batonUrl: baton.url },
    }).start();
    const submit = (accountId: string) =>
      fetch(`${agent?.url}/link`, {
        method: "POST",
        body: new URLSearchParams({ token: TOKEN, accountId }),
      });
    const used = await submit("acct_ada");
    expect(used.status).toBe(409);
    expect(await used.text()).toContain("already used");
    expect((await submit("two words")).status).toBe(400);
    expect(baton.received).toHaveLength(1);
    await baton.stop();
  });

  it("has no /link page unless configured, and the CLI needs both settings", async () => {
    agent = await createLocalAgent({}).start();
    expect((await fetch(`${agent.url}/link?token=${TOKEN}`)).status).toBe(404);
    const both = parseCliOptions(["--baton-url", "http://127.0.0.1:3000"], {
      AGENT_LOCAL_LINK_SECRET: LINK_SECRET,
    });
    expect(both.kind === "run" && both.options.accountLink).toEqual({
      batonUrl: "http://127.0.0.1:3000",
      linkSecret: LINK_SECRET,
    });
    expect(parseCliOptions(["--baton-url", "http://127.0.0.1:3000"], {}).kind).toBe("error");
  });
});
