import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import { Histogram, type Registry } from 'prom-client';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/**
 * Gives every request an id (a sane incoming `X-Request-Id`, or a new UUID), echoes it, and on
 * completion logs one line and observes `http_request_duration_seconds`. Logs carry the method,
 * the path without query string, the status and the duration — never headers or bodies, so no
 * token reaches the logs.
 *
 * @param deps - logger and metrics registry
 * @returns the middleware
 * @throws Error from prom-client when the histogram is already registered in the registry
 * @example
 * app.use(createRequestLogger({ logger, metricsRegistry }));
 */
export function createRequestLogger(deps: { logger: Logger; metricsRegistry: Registry }): RequestHandler {
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by method, route and status',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [deps.metricsRegistry],
  });
  return (req, res, next) => {
    const incoming = req.get('x-request-id');
    const requestId = incoming !== undefined && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.locals.requestId = requestId;
    res.set('X-Request-Id', requestId);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      // The matched route pattern, not the URL, keeps the label set bounded.
      const routePath: unknown = req.route?.path;
      const route = typeof routePath === 'string' ? `${req.baseUrl}${routePath}` : 'unmatched';
      duration.observe({ method: req.method, route, status_code: String(res.statusCode) }, seconds);
      deps.logger.info(
        { reqId: requestId, method: req.method, path: req.originalUrl.split('?')[0], status: res.statusCode, durationMs: Math.round(seconds * 1e4) / 10 },
        'request',
      );
    });
    next();
  };
}
