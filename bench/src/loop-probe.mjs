// Preloaded into the service processes of the propagation suite (`node --import`), before tsx, so
// plain JavaScript. It writes, with wall-clock times, every garbage-collection pause and every
// stretch in which the event loop could not run a 2 ms timer on time (long synchronous work such as
// a PGlite query, a GC pause, or the process waiting for a core), so the suite can tell which part
// of a slow ban met which pause. One JSON line per record on stderr, beside the service's pino lines.
import { monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks';
import process from 'node:process';
import { setInterval, setTimeout } from 'node:timers';

const TICK_MS = 2;
// A timer is allowed this much lateness before the gap counts as a stall: below it, timer granularity.
const STALL_MS = 1;
const wall = (relative) => performance.timeOrigin + relative;
const write = (record) => process.stderr.write(`${JSON.stringify({ msg: 'loop probe', ...record })}\n`);

new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) write({ kind: 'gc', from: wall(entry.startTime), to: wall(entry.startTime + entry.duration), gc: entry.detail?.kind });
}).observe({ entryTypes: ['gc'] });

let expected = performance.now() + TICK_MS;
const tick = () => {
  const now = performance.now();
  if (now - expected > STALL_MS) write({ kind: 'stall', from: wall(expected), to: wall(now) });
  expected = now + TICK_MS;
  setTimeout(tick, TICK_MS).unref();
};
setTimeout(tick, TICK_MS).unref();

// The event loop's delay distribution per second, for the report's overview.
const delay = monitorEventLoopDelay({ resolution: 1 });
delay.enable();
setInterval(() => {
  write({ kind: 'delay', at: wall(performance.now()), p50: delay.percentile(50) / 1e6, p99: delay.percentile(99) / 1e6, max: delay.max / 1e6 });
  delay.reset();
}, 1000).unref();
