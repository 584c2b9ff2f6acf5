/** Test support: calls the emulator's Web API the way @slack/web-api does (form + Bearer). */

export type ApiBody = Record<string, unknown> & { ok: boolean; error?: string };

export function createApiClient(apiUrl: string, token: string) {
  async function raw(method: string, init: RequestInit = {}): Promise<Response> {
    return fetch(`${apiUrl}${method}`, { method: "POST", ...init });
  }

  async function call(
    method: string,
    params: Record<string, unknown> = {},
    asToken = token,
  ): Promise<ApiBody> {
    const form = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) {
      form.set(key, typeof value === "string" ? value : JSON.stringify(value));
    }
    const response = await raw(method, {
      headers: {
        authorization: `Bearer ${asToken}`,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: form.toString(),
    });
    return (await response.json()) as ApiBody;
  }

  return { raw, call };
}
