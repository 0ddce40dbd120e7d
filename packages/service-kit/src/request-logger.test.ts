import express from 'express';
import pino from 'pino';
import { Registry } from 'prom-client';
import request from 'supertest';
import { createRequestLogger } from './request-logger';

function loggedApp() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) });
  const metricsRegistry = new Registry();
  const app = express();
  app.use(createRequestLogger({ logger, metricsRegistry }));
  app.get('/items/:id', (_req, res) => {
    res.json({ ok: true });
  });
  return { app, lines, metricsRegistry };
}

describe('createRequestLogger', () => {
  it('logs one line per request without the query string or headers', async () => {
    const { app, lines } = loggedApp();
    await request(app).get('/items/42?token=secret').set('Authorization', 'Bearer secret-token');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ msg: 'request', method: 'GET', path: '/items/42', status: 200 });
    expect(JSON.stringify(lines[0])).not.toContain('secret');
  });

  it('echoes a sane incoming request id and replaces an unsafe one', async () => {
    const { app } = loggedApp();
    expect((await request(app).get('/items/1').set('X-Request-Id', 'abc-123')).headers['x-request-id']).toBe('abc-123');
    const replaced = (await request(app).get('/items/1').set('X-Request-Id', 'not a safe id; <script>')).headers['x-request-id'];
    expect(replaced).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('labels the latency histogram with the route pattern, not the URL', async () => {
    const { app, metricsRegistry } = loggedApp();
    await request(app).get('/items/1');
    await request(app).get('/nowhere');
    const text = await metricsRegistry.metrics();
    expect(text).toContain('route="/items/:id",status_code="200"');
    expect(text).toContain('route="unmatched",status_code="404"');
  });
});
