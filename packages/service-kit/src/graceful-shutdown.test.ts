import { once } from 'node:events';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { installGracefulShutdown, type ShutdownStep } from './graceful-shutdown';

async function listeningServer(): Promise<Server> {
  const server = createServer((_req, res) => {
    res.end('ok');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

function harness() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) });
  const order: string[] = [];
  const exits: number[] = [];
  const step = (name: string, fail = false): ShutdownStep => ({
    name,
    run: async () => {
      order.push(name);
      if (fail) throw new Error(`${name} broke`);
    },
  });
  return { lines, logger, order, exits, exit: (code: number) => exits.push(code), step };
}

describe('installGracefulShutdown', () => {
  it('closes the server, then runs every step in order and exits with the given code', async () => {
    const { logger, order, exits, exit, step } = harness();
    const server = await listeningServer();
    const shutdown = installGracefulShutdown({ logger, server, steps: [step('consumer'), [step('feed'), step('queue')], step('database')], exit });
    await shutdown('test', 0);
    expect(server.listening).toBe(false);
    expect(order).toEqual(['consumer', 'feed', 'queue', 'database']);
    expect(exits).toEqual([0]);
  });

  it('runs the remaining steps after one fails, logs the failure and exits 1', async () => {
    const { lines, logger, order, exits, exit, step } = harness();
    const shutdown = installGracefulShutdown({ logger, server: await listeningServer(), steps: [step('nats', true), step('database')], exit });
    await shutdown('test', 0);
    expect(order).toEqual(['nats', 'database']);
    expect(exits).toEqual([1]);
    expect(lines).toContainEqual(expect.objectContaining({ msg: 'shutdown step failed', step: 'nats' }));
  });

  it('stops once however often it is asked', async () => {
    const { logger, order, exits, exit, step } = harness();
    const shutdown = installGracefulShutdown({ logger, server: await listeningServer(), steps: [step('database')], exit });
    await Promise.all([shutdown('first', 0), shutdown('second', 1)]);
    expect(order).toEqual(['database']);
    expect(exits).toEqual([0]);
  });

  it('stops on SIGTERM and lets an in-flight request finish', async () => {
    const { logger, exits, exit } = harness();
    const server = await listeningServer();
    const listenersBefore = process.listenerCount('unhandledRejection');
    const { port } = server.address() as AddressInfo;
    const response = new Promise<number>((resolve, reject) => {
      request({ port, host: '127.0.0.1', path: '/' }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
        .on('error', reject)
        .end();
    });
    const stopped = new Promise<void>((resolve) => {
      installGracefulShutdown({
        logger,
        server,
        steps: [],
        exit: (code) => {
          exit(code);
          resolve();
        },
      });
    });
    expect(await response).toBe(200);
    process.emit('SIGTERM', 'SIGTERM');
    await stopped;
    expect(exits).toEqual([0]);
    expect(process.listenerCount('unhandledRejection')).toBe(listenersBefore);
  });
});
