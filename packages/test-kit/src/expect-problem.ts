/** What {@link expectProblem} reads of a response; a supertest `Response` has it. */
export interface ProblemResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/**
 * Asserts an RFC 9457 answer as every Veto service sends it: the status, the
 * `application/problem+json` media type, and a body with `type` `urn:veto:error:<code in lower
 * case>`, a `title`, the same `status`, a `detail` and the stable `code`.
 *
 * @param res - the response, e.g. from supertest
 * @param status - the expected HTTP status
 * @param code - the expected stable code
 * @returns the parsed body, for assertions on its other members (`errors`, `detail`)
 * @throws a jest assertion error when any of these differ
 * @example
 * expectProblem(await request(app).get('/api/admin/users'), 401, 'TOKEN_MISSING');
 */
export function expectProblem(res: ProblemResponse, status: number, code: string): Record<string, unknown> {
  // One assertion, so a failure shows status, media type and body side by side.
  const body = parse(res.text);
  expect({ status: res.status, contentType: res.headers['content-type'], body }).toEqual({
    status,
    contentType: expect.stringMatching(/^application\/problem\+json/),
    body: expect.objectContaining({ type: `urn:veto:error:${code.toLowerCase()}`, title: expect.any(String), status, detail: expect.any(String), code }),
  });
  return body as Record<string, unknown>;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
