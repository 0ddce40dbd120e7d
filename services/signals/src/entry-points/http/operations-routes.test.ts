import request from 'supertest';
import { createTestApp } from '../../test-support/test-app';

describe('operations routes', () => {
  it('answers /healthz with 200', async () => {
    await request(createTestApp().app).get('/healthz').expect(200, { status: 'ok' });
  });

  it('answers /readyz with 200 once the key is loaded (the app exists only then)', async () => {
    await request(createTestApp().app)
      .get('/readyz')
      .expect(200, { status: 'ready', checks: { signingKey: 'loaded' } });
  });

  it('serves Prometheus metrics with the HTTP histogram of the requests served', async () => {
    const { app } = createTestApp();
    await request(app).get('/jwks.json').expect(200);
    const res = await request(app).get('/metrics').expect(200);
    expect(res.text).toContain('http_request_duration_seconds_count{method="GET",route="/jwks.json",status_code="200"} 1');
  });
});
