import { connect } from 'node:net';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import express from 'express';
import pino from 'pino';
import request from 'supertest';
import { BODY_LIMIT, COMMON_HTTP_ERRORS, createErrorHandler } from './problem-details';
import { requireJsonBodies } from './parse-request';
import { ServiceError, ValidationError } from './service-error';

type ShopCode = keyof typeof COMMON_HTTP_ERRORS | 'OUT_OF_STOCK' | 'SLOW_DOWN' | 'DISK_FULL' | 'NOT_IMPLEMENTED_YET';

const ERRORS = {
  ...COMMON_HTTP_ERRORS,
  OUT_OF_STOCK: { status: 409, title: 'Out of stock' },
  SLOW_DOWN: { status: 429, title: 'Too many requests' },
  DISK_FULL: { status: 507, title: 'Insufficient storage' },
  NOT_IMPLEMENTED_YET: { status: 501, title: 'Not implemented yet' },
} as const;

function appThrowing(error: unknown) {
  const logged: unknown[] = [];
  const logger = pino({ level: 'error' }, { write: (line: string) => logged.push(JSON.parse(line)) });
  const app = express();
  app.use(requireJsonBodies());
  app.use(express.json({ limit: BODY_LIMIT }));
  app.post('/echo', (req, res) => {
    res.json(req.body);
  });
  app.get('/fail', () => {
    throw error;
  });
  app.get('/items/:id', (req, res) => {
    res.json({ id: req.params.id });
  });
  app.use(
    createErrorHandler<ShopCode>({
      logger,
      errors: ERRORS,
      headersFor: (coded): Record<string, string> => (coded.code === 'SLOW_DOWN' ? { 'Retry-After': '7' } : {}),
    }),
  );
  return { app, logged };
}

describe('createErrorHandler', () => {
  it('answers a coded 4xx error with RFC 9457 problem+json carrying the code and message', async () => {
    const { app, logged } = appThrowing(new ServiceError<ShopCode>('OUT_OF_STOCK', 'No seats left'));
    const res = await request(app).get('/fail');
    expect(res.status).toBe(409);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(res.text)).toEqual({ type: 'urn:veto:error:out_of_stock', title: 'Out of stock', status: 409, detail: 'No seats left', code: 'OUT_OF_STOCK' });
    expect(logged).toEqual([]);
  });

  it('answers a coded 501 (a route not served yet) with its problem, not as a failure', async () => {
    const { app, logged } = appThrowing(new ServiceError<ShopCode>('NOT_IMPLEMENTED_YET', 'Refunds come in the next release'));
    const res = await request(app).get('/fail');
    expect(res.status).toBe(501);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(res.text)).toEqual({
      type: 'urn:veto:error:not_implemented_yet',
      title: 'Not implemented yet',
      status: 501,
      detail: 'Refunds come in the next release',
      code: 'NOT_IMPLEMENTED_YET',
    });
    expect(logged).toEqual([]);
  });

  it('lists the invalid fields of a validation error', async () => {
    const { app } = appThrowing(new ValidationError([{ field: 'price', message: 'must be positive' }]));
    const res = await request(app).get('/fail');
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text)).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'price', message: 'must be positive' }] });
  });

  it('adds the headers a service asks for', async () => {
    const res = await request(appThrowing(new ServiceError<ShopCode>('SLOW_DOWN', 'wait')).app).get('/fail');
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBe('7');
  });

  it.each([
    ['an unexpected error', new Error('db password is hunter2')],
    ['a coded 5xx error', new ServiceError<ShopCode>('DISK_FULL', 'disk /var is full')],
    ['a code the table does not know', new ServiceError('MYSTERY', 'what')],
  ])('logs %s and answers 500 INTERNAL without leaking it', async (_name, error) => {
    const { app, logged } = appThrowing(error);
    const res = await request(app).get('/fail');
    expect(res.status).toBe(500);
    expect(JSON.parse(res.text)).toEqual({ type: 'urn:veto:error:internal', title: 'Internal server error', status: 500, detail: 'Internal server error', code: 'INTERNAL' });
    expect(res.text).not.toContain((error as Error).message);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ msg: 'unexpected error', method: 'GET', path: '/fail' });
  });

  it('maps malformed JSON to MALFORMED_JSON', async () => {
    const res = await request(appThrowing(undefined).app).post('/echo').set('Content-Type', 'application/json').send('{"a":');
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text)).toMatchObject({ code: 'MALFORMED_JSON' });
  });

  it('maps an oversized body to PAYLOAD_TOO_LARGE', async () => {
    const res = await request(appThrowing(undefined).app)
      .post('/echo')
      .send({ blob: 'x'.repeat(20 * 1024) });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.text)).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
  });

  it('maps a non-JSON body to UNSUPPORTED_MEDIA_TYPE before reading it', async () => {
    const res = await request(appThrowing(undefined).app).post('/echo').set('Content-Type', 'text/plain').send('hello');
    expect(res.status).toBe(415);
    expect(JSON.parse(res.text)).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
  });

  it('lets a request without a body through', async () => {
    const res = await request(appThrowing(undefined).app).post('/echo');
    expect(res.status).toBe(200);
  });

  describe('answers a body that cannot be decoded as a client error, without logging it', () => {
    const json = Buffer.from(JSON.stringify({ title: 'Concert' }));
    // superagent JSON-serializes anything but a string under a JSON content type, a Buffer too: send the bytes as they are.
    const asIs = (bytes: Buffer) => bytes as unknown as string;
    it.each([
      ['garbage labelled gzip', 'gzip', Buffer.from('this is not gzip at all')],
      ['a truncated gzip stream', 'gzip', gzipSync(json).subarray(0, 12)],
      ['garbage labelled deflate', 'deflate', Buffer.from('this is not deflate either')],
      ['garbage labelled br', 'br', Buffer.from('this is not brotli either')],
    ])('%s → 400 MALFORMED_JSON', async (_name, encoding, body) => {
      const { app, logged } = appThrowing(undefined);
      const res = await request(app).post('/echo').set('Content-Type', 'application/json').set('Content-Encoding', encoding).serialize(asIs).send(body);
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(JSON.parse(res.text)).toMatchObject({ code: 'MALFORMED_JSON', status: 400 });
      expect(logged).toEqual([]);
    });

    it('still reads a well-formed compressed body', async () => {
      const res = await request(appThrowing(undefined).app)
        .post('/echo')
        .set('Content-Type', 'application/json')
        .set('Content-Encoding', 'br')
        .serialize(asIs)
        .send(brotliCompressSync(json));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ title: 'Concert' });
    });

    it('a body cut short of its Content-Length → 400, not logged as a failure', async () => {
      const { app, logged } = appThrowing(undefined);
      const server = app.listen(0);
      try {
        await new Promise((resolve) => server.once('listening', resolve));
        const { port } = server.address() as { port: number };
        const answer = await new Promise<string>((resolve, reject) => {
          let text = '';
          const socket = connect(port, '127.0.0.1', () => {
            // Half-close after 10 of the 100 bytes announced: the server sees the request end early and can still answer.
            socket.end('POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"title":"');
          });
          socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
          socket.on('end', () => resolve(text));
          socket.on('error', reject);
        });
        expect(answer).toMatch(/^HTTP\/1\.1 400 /);
        await new Promise((resolve) => setTimeout(resolve, 50));
        expect(logged).toEqual([]);
      } finally {
        server.close();
      }
    });

    it('an unknown Content-Encoding → 415 UNSUPPORTED_MEDIA_TYPE', async () => {
      const { app, logged } = appThrowing(undefined);
      const res = await request(app).post('/echo').set('Content-Type', 'application/json').set('Content-Encoding', 'x-snappy').serialize(asIs).send(json);
      expect(res.status).toBe(415);
      expect(JSON.parse(res.text)).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
      expect(logged).toEqual([]);
    });
  });

  it('answers a path parameter that is not valid percent-encoding with 400 VALIDATION_FAILED on (path), without logging it', async () => {
    const { app, logged } = appThrowing(undefined);
    const res = await request(app).get('/items/%E0%A4%A');
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(res.text)).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: '(path)', message: expect.any(String) }] });
    expect(logged).toEqual([]);
  });
});
