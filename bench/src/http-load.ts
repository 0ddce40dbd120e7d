import autocannon from 'autocannon';
import { summarize, type Summary } from './summarize';

/** What one load run measured. */
export interface LoadResult {
  readonly durationSeconds: number;
  /** Responses of any status per second (the throughput). */
  readonly requestsPerSecond: number;
  readonly responses: number;
  /** 2xx responses. */
  readonly ok: number;
  /** Connection errors and timeouts: requests that got no response at all. */
  readonly errors: number;
  /** 2xx / (responses + errors). */
  readonly successRate: number;
  /** Latency of 2xx responses in ms, with sub-millisecond precision; undefined when none succeeded. */
  readonly latencyMs: Summary | undefined;
  readonly statusCounts: Readonly<Record<string, number>>;
}

/** Options of {@link runLoad}. */
export interface LoadOptions {
  readonly url: string;
  readonly headers?: Record<string, string>;
  /** Concurrent keep-alive connections. */
  readonly connections: number;
  readonly durationSeconds: number;
}

/**
 * Drives a closed-loop HTTP load with autocannon (each connection sends its next request when the
 * previous answer arrives) and measures it. Latencies are taken from every response event rather
 * than autocannon's histogram, which rounds to whole milliseconds — too coarse for sub-millisecond
 * routes.
 *
 * @param options - see {@link LoadOptions}
 * @throws Error from autocannon for invalid options
 * @example
 * const result = await runLoad({ url: `${base}/api/tickets/${id}`, headers: { authorization: `Bearer ${token}` }, connections: 10, durationSeconds: 5 });
 */
export function runLoad(options: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  const statusCounts: Record<string, number> = {};
  let responses = 0;
  let ok = 0;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      { url: options.url, headers: options.headers ?? {}, connections: options.connections, duration: options.durationSeconds, timeout: 5 },
      (error, result) => {
        if (error) {
          reject(error);
          return;
        }
        const errors = result.errors + result.timeouts;
        const durationSeconds = result.duration;
        resolve({
          durationSeconds,
          requestsPerSecond: responses / durationSeconds,
          responses,
          ok,
          errors,
          successRate: responses + errors === 0 ? 0 : ok / (responses + errors),
          latencyMs: latencies.length === 0 ? undefined : summarize(latencies),
          statusCounts,
        });
      },
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      responses += 1;
      statusCounts[statusCode] = (statusCounts[statusCode] ?? 0) + 1;
      if (statusCode >= 200 && statusCode < 300) {
        ok += 1;
        latencies.push(responseTime);
      }
    });
  });
}
