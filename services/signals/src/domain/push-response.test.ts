import { classifyPushResponse } from './push-response';

describe('classifyPushResponse', () => {
  it('counts 202 Accepted, and only it, as delivered (RFC 8935 §2.2)', () => {
    expect(classifyPushResponse(202, '')).toEqual({ kind: 'delivered' });
    expect(classifyPushResponse(200, '')).toEqual({ kind: 'retry', error: 'HTTP 200', reason: 'http_200' });
  });

  it.each(['invalid_request', 'invalid_issuer', 'invalid_audience'])('gives up at once on %s: the same bytes would be refused again', (err) => {
    expect(classifyPushResponse(400, JSON.stringify({ err, description: 'why' }))).toEqual({ kind: 'permanent', error: `HTTP 400 ${err}: why`, reason: `refused_${err}` });
  });

  it.each(['invalid_key', 'authentication_failed', 'access_denied'])('retries %s, which the receiver or its credentials can heal', (err) => {
    expect(classifyPushResponse(400, JSON.stringify({ err }))).toEqual({ kind: 'retry', error: `HTTP 400 ${err}`, reason: `refused_${err}` });
  });

  it('retries a 400 without an RFC 8935 error object, an unknown err and any other status', () => {
    expect(classifyPushResponse(400, 'nope')).toEqual({ kind: 'retry', error: 'HTTP 400: nope', reason: 'http_400' });
    expect(classifyPushResponse(400, '{"err":"teapot"}')).toEqual({ kind: 'retry', error: 'HTTP 400 teapot', reason: 'http_400' });
    expect(classifyPushResponse(503, '')).toEqual({ kind: 'retry', error: 'HTTP 503', reason: 'http_503' });
  });

  it('keeps the stored error short', () => {
    const outcome = classifyPushResponse(500, 'x'.repeat(5000));
    expect(outcome.kind === 'retry' && outcome.error.length).toBe(500);
  });
});
