import express from 'express';
import { Registry } from 'prom-client';
import request from 'supertest';
import { createTestApp } from '../../test-support/test-app';
import { createOperationsRoutes } from './operations-routes';

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

describe('/readyz with the AUTH consumer', () => {
  const metricsRegistry = () => new Registry();

  it.each([
    [{ ready: true, state: 'running' }, 200, 'ready'],
    [{ ready: false, state: 'starting' }, 503, 'unavailable'],
    [{ ready: false, state: 'failed' }, 503, 'unavailable'],
    [{ ready: false, state: 'stopped' }, 503, 'unavailable'],
  ])('answers %j with %i', async (consumer, status, word) => {
    const app = express().use(createOperationsRoutes({ metricsRegistry: metricsRegistry(), consumer: () => consumer }));
    await request(app)
      .get('/readyz')
      .expect(status, { status: word, checks: { signingKey: 'loaded', authConsumer: consumer.state } });
  });
});
