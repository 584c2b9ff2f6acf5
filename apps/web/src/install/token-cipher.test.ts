import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { parseEnv } from "../env";
import { createOAuthStateSigner, OAUTH_STATE_TTL_MS } from "./oauth-state";
import { createTokenCipher, InstallKeyError } from "./token-cipher";

const KEY_A = randomBytes(32).toString("hex");
const KEY_B = randomBytes(32).toString("base64");
const TOKEN = "xoxb-2-1234567890-Øresund-token";

describe("token cipher", () => {
  it("seals without the token in the sealed record and opens it again", () => {
    const cipher = createTokenCipher({ current: KEY_A });
    const sealed = cipher.seal(TOKEN);
    expect(JSON.stringify(sealed)).not.toContain("xoxb");
    expect(cipher.open(sealed)).toEqual({ kind: "opened", token: TOKEN, stale: false });
  });

  it("opens a token sealed under an old key and says it is stale", () => {
    const sealedUnderA = createTokenCipher({ current: KEY_A }).seal(TOKEN);
    const rotated = createTokenCipher({ current: KEY_B, old: [KEY_A] });
    expect(rotated.open(sealedUnderA)).toEqual({ kind: "opened", token: TOKEN, stale: true });
    expect(rotated.open(rotated.seal(TOKEN))).toMatchObject({ stale: false });
    // Without A in the ring, B cannot open it.
    expect(createTokenCipher({ current: KEY_B }).open(sealedUnderA)).toMatchObject({
      kind: "unknown-key",
    });
  });

  it("refuses a changed byte, and a record relabelled to another key", () => {
    const cipher = createTokenCipher({ current: KEY_A, old: [KEY_B] });
    const sealed = cipher.seal(TOKEN);
    const data = Buffer.from(sealed.data, "base64");
    data[0] = (data[0] ?? 0) ^ 1;
    expect(cipher.open({ ...sealed, data: data.toString("base64") })).toEqual({ kind: "corrupt" });
    const otherKid = createTokenCipher({ current: KEY_B }).currentKeyId;
    expect(cipher.open({ ...sealed, kid: otherKid })).toEqual({ kind: "corrupt" });
  });

  it("refuses a key that is not 32 bytes", () => {
    expect(() => createTokenCipher({ current: "short" })).toThrow(InstallKeyError);
  });
});

describe("OAuth state", () => {
  const secrets = ["s".repeat(32), "t".repeat(32)];

  it("accepts its own state from the same browser until it expires", () => {
    let now = 1_000_000;
    const signer = createOAuthStateSigner({ secrets, now: () => now });
    const { state, nonce } = signer.issue();
    expect(signer.verify(state, nonce)).toEqual({ kind: "valid" });
    expect(signer.verify(state, "another-browser")).toEqual({ kind: "invalid", reason: "browser" });
    now += OAUTH_STATE_TTL_MS + 1;
    expect(signer.verify(state, nonce)).toEqual({ kind: "invalid", reason: "expired" });
  });

  it("refuses a forged state and accepts one signed with an older secret", () => {
    const signer = createOAuthStateSigner({ secrets, now: () => 0 });
    const { state, nonce } = signer.issue();
    const [expires] = state.split(".");
    expect(signer.verify(`${expires}.${nonce}.forged`, nonce)).toMatchObject({
      reason: "signature",
    });
    const older = createOAuthStateSigner({ secrets: [secrets[1] as string], now: () => 0 }).issue();
    expect(signer.verify(older.state, older.nonce)).toEqual({ kind: "valid" });
  });
});

describe("install settings", () => {
  const base = {
    BATON_PUBLIC_URL: "https://baton.example.com",
    BATON_CALLBACK_SECRETS: "c".repeat(32),
    AGENT_URL: "http://127.0.0.1:4000",
    SLACK_SIGNING_SECRET: "signing-secret",
  };

  it("takes OAuth without a bot token, and needs a key for it", () => {
    const oauth = { ...base, SLACK_CLIENT_ID: "1.2", SLACK_CLIENT_SECRET: "secret" };
    expect(() => parseEnv(oauth)).toThrow(/BATON_INSTALL_ENCRYPTION_KEY: required/);
    const env = parseEnv({
      ...oauth,
      BATON_INSTALL_ENCRYPTION_KEY: KEY_A,
      BATON_INSTALL_ENCRYPTION_KEYS_OLD: KEY_B,
    });
    expect(env.SLACK_BOT_TOKEN).toBeUndefined();
    expect(env.BATON_INSTALL_ENCRYPTION_KEYS_OLD).toEqual([KEY_B]);
    expect(env.SLACK_OAUTH_SCOPES).toContain("chat:write");
  });

  it("refuses neither a token nor OAuth, half an OAuth pair, and a short key", () => {
    expect(() => parseEnv(base)).toThrow(/SLACK_BOT_TOKEN: set a bot token/);
    expect(() => parseEnv({ ...base, SLACK_CLIENT_ID: "1.2" })).toThrow(
      /SLACK_CLIENT_SECRET: SLACK_CLIENT_ID and SLACK_CLIENT_SECRET go together/,
    );
    expect(() =>
      parseEnv({
        ...base,
        SLACK_BOT_TOKEN: "xoxb-1",
        BATON_INSTALL_ENCRYPTION_KEY: "abc",
      }),
    ).toThrow(/BATON_INSTALL_ENCRYPTION_KEY: an install encryption key must be 32 bytes/);
  });
});
