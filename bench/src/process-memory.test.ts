import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { findProcess, memoryFromStatus, processMemory } from './process-memory';

const STATUS = ['Name:\tnode', 'VmPeak:\t 1200000 kB', 'VmHWM:\t  409600 kB', 'VmRSS:\t  307200 kB', 'RssAnon:\t  250000 kB', ''].join('\n');

describe('memoryFromStatus', () => {
  it('reads VmRSS and VmHWM in MiB, not the VmPeak or RssAnon lines around them', () => {
    expect(memoryFromStatus(STATUS)).toEqual({ rssMiB: 300, peakMiB: 400 });
  });

  it('refuses a status text without a VmRSS line (a kernel thread)', () => {
    expect(() => memoryFromStatus('Name:\tkthreadd\nState:\tS (sleeping)\n')).toThrow(RangeError);
  });
});

describe('processMemory', () => {
  it('reads this process: resident now never above the peak', () => {
    const { rssMiB, peakMiB } = processMemory(process.pid);
    expect(rssMiB).toBeGreaterThan(0);
    expect(peakMiB).toBeGreaterThanOrEqual(rssMiB);
  });
});

describe('findProcess', () => {
  it('finds a child by a marker on its command line, and refuses a marker nobody has', async () => {
    const marker = `footprint-marker-${randomUUID()}`;
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)', marker], { stdio: 'ignore' });
    try {
      await waitUntil(() => {
        try {
          return findProcess([marker]) === child.pid;
        } catch {
          return false;
        }
      });
      expect(findProcess([marker, '-e'])).toBe(child.pid);
      expect(() => findProcess([marker, 'not-on-its-command-line'])).toThrow('0 processes match');
    } finally {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
  });
});

async function waitUntil(check: () => boolean): Promise<void> {
  for (let tries = 0; tries < 100 && !check(); tries += 1) await new Promise((resolve) => setTimeout(resolve, 20));
}
