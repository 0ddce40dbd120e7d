// An RFC 8935 push receiver for the signals suite, in a process of its own (forked by
// bench/src/signals-suite.ts through startBenchChild): it answers every
// `POST /events` with 202 and tells its parent, over IPC, when each SET arrived. The arrival time
// is taken here, when the request body has been read, with the same wall clock as the services'
// log lines (`performance.timeOrigin + performance.now()`), so the parent's own event loop, busy
// with the next ban, does not add to the measure.
import { createServer } from 'node:http';

/** What this process sends its parent: once `{ port }`, then one message per SET received. */
export type SetReceiverMessage = { readonly port: number } | { readonly receivedAt: number; readonly contentType: string; readonly token: string };

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const receivedAt = performance.timeOrigin + performance.now();
    if (req.method !== 'POST' || req.url !== '/events') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(202).end();
    const message: SetReceiverMessage = { receivedAt, contentType: req.headers['content-type'] ?? '', token: Buffer.concat(chunks).toString('utf8') };
    process.send?.(message);
  });
});

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the receiver has no TCP address');
  const ready: SetReceiverMessage = { port: address.port };
  process.send?.(ready);
});

process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  process.disconnect?.();
});
