// Preloaded into the service processes of the footprint suite (`node --import`), before anything
// else, so plain JavaScript. Every 250 ms it writes how the process's memory splits, so the suite
// can say where the resident memory under load goes: V8's heap by space (the young generation is
// new_space), memory outside the heap (Buffers, ArrayBuffers, WASM), and RSS for the remainder
// (the node binary, native code, malloc). On SIGUSR2, in a process started with `--expose-gc`, it
// first runs two full collections, so the suite can tell live memory from garbage not yet
// collected. One JSON line per record on stderr, beside the service's pino lines.
import process from 'node:process';
import { setInterval } from 'node:timers';
import { getHeapSpaceStatistics } from 'node:v8';

const INTERVAL_MS = 250;

const write = (collected) => {
  const usage = process.memoryUsage();
  const spaces = {};
  // Committed size: what the space holds from the OS, used or not (a grown semi-space stays committed).
  for (const space of getHeapSpaceStatistics()) spaces[space.space_name] = space.space_size;
  const record = {
    msg: 'memory probe',
    at: Date.now(),
    collected,
    rss: usage.rss,
    heapTotal: usage.heapTotal,
    heapUsed: usage.heapUsed,
    external: usage.external,
    arrayBuffers: usage.arrayBuffers,
    spaces,
  };
  process.stderr.write(`${JSON.stringify(record)}\n`);
};

setInterval(() => write(false), INTERVAL_MS).unref();
process.on('SIGUSR2', () => {
  if (typeof globalThis.gc !== 'function') return;
  globalThis.gc();
  globalThis.gc();
  write(true);
});
