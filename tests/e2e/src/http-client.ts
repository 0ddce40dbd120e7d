/** A JSON response as a test reads it. */
export interface JsonResponse {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/**
 * Sends one JSON request with an optional Bearer token.
 *
 * @example
 * const { status, body } = await request('POST', `${auth.url}/api/users/signin`, { body: { email, password } });
 */
export async function request(method: string, url: string, options: { readonly token?: string; readonly body?: unknown } = {}): Promise<JsonResponse> {
  const headers: Record<string, string> = {};
  if (options.token !== undefined) {
    headers.authorization = `Bearer ${options.token}`;
  }
  if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
  }
  const response = await fetch(url, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  const text = await response.text();
  return { status: response.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

/**
 * Repeats `probe` until it returns true and resolves with the elapsed milliseconds.
 *
 * @throws {Error} when `timeoutMs` passes first, with `what` in the message
 */
export async function waitUntil(what: string, probe: () => Promise<boolean>, timeoutMs = 10_000): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    if (await probe()) {
      return performance.now() - started;
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
}
