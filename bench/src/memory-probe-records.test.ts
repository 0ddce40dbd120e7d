import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { collectedAfter, highestWithin, MEMORY_PROBE_ARGS, memoryProbeRecords, recordAt } from './memory-probe-records';

const MIB = 1024 * 1024;

function line(at: number, rssMiB: number, collected = false): string {
  const spaces = { new_space: 2 * MIB, old_space: 10 * MIB, code_space: MIB, large_object_space: MIB, new_large_object_space: 0, code_large_object_space: MIB };
  return JSON.stringify({ msg: 'memory probe', at, collected, rss: rssMiB * MIB, heapTotal: 15 * MIB, heapUsed: 9 * MIB, external: 3 * MIB, arrayBuffers: MIB, spaces });
}

describe('memoryProbeRecords', () => {
  it('reads the probe lines in MiB, by space, and skips the service log lines around them', () => {
    const output = ['{"level":40,"msg":"something else"}', line(1000, 80), 'not json', ''].join('\n');
    expect(memoryProbeRecords(output)).toEqual([
      { at: 1000, collected: false, rss: 80, heapTotal: 15, heapUsed: 9, newSpace: 2, oldSpace: 10, codeSpace: 1, largeObjects: 2, external: 3, arrayBuffers: 1 },
    ]);
  });

  it('picks the record of a moment and the highest one of a window', () => {
    const records = memoryProbeRecords([line(1000, 80), line(2000, 130), line(3000, 120, true), line(4000, 140), line(5000, 100, true)].join('\n'));
    expect(recordAt(records, 2500).rss).toBe(130);
    expect(highestWithin(records, 1500, 3500).rss).toBe(130);
    expect(collectedAfter(records, 3500).rss).toBe(100);
    expect(() => recordAt(records, 999)).toThrow(RangeError);
    expect(() => highestWithin(records, 5001, 6000)).toThrow(RangeError);
    expect(() => collectedAfter(records, 5001)).toThrow(RangeError);
  });

  it('are written by the probe loaded into a real node process, young generation included, and after a full collection on SIGUSR2', async () => {
    // 30 MB of live arrays, dropped at once: the collection on SIGUSR2 must find the heap in use 20 MB smaller.
    const script =
      "let junk = Array.from({ length: 40 }, () => new Array(100_000).fill(1.5)); setTimeout(() => { junk = undefined; process.stdout.write('dropped ' + Date.now() + '\\n'); }, 600); setInterval(() => {}, 1000)";
    const child = spawn(process.execPath, ['--expose-gc', ...MEMORY_PROBE_ARGS, '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let stdout = '';
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    const until = async (condition: () => boolean) => {
      const deadline = Date.now() + 20_000;
      while (!condition()) {
        if (Date.now() > deadline) throw new Error(`timed out; output so far:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    try {
      await until(() => /dropped \d+/.test(stdout));
      const droppedAt = Number(/dropped (\d+)/.exec(stdout)?.[1]);
      await until(() => memoryProbeRecords(output).some((record) => record.at > droppedAt));
      const before = recordAt(memoryProbeRecords(output), Date.now());
      const sentAt = Date.now();
      child.kill('SIGUSR2');
      await until(() => memoryProbeRecords(output).some((record) => record.collected));
      expect(collectedAfter(memoryProbeRecords(output), sentAt).heapUsed).toBeLessThan(before.heapUsed - 20);
    } finally {
      child.kill();
      await once(child, 'exit');
    }
    const records = memoryProbeRecords(output);
    const last = records.at(-1);
    expect(last?.newSpace).toBeGreaterThan(0);
    expect(last?.heapTotal).toBeGreaterThanOrEqual((last?.newSpace ?? 0) + (last?.oldSpace ?? 0));
    expect(last?.rss).toBeGreaterThan(last?.heapTotal ?? 0);
  });
});
