import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { findNatsServer } from '@veto/events/testing';

/** What a reader needs to compare these numbers with their own. */
export interface MachineFacts {
  readonly cores: number;
  readonly cpuModel: string;
  readonly memoryGiB: number;
  readonly node: string;
  readonly natsServer: string;
  readonly platform: string;
}

/**
 * Reads the facts of this machine, including the version of the nats-server the suites start.
 *
 * @throws Error when no nats-server binary can be found
 * @example
 * const facts = machineFacts(); // { cores: 2, cpuModel: 'AMD EPYC', ... }
 */
export function machineFacts(): MachineFacts {
  const natsVersion = execFileSync(findNatsServer(), ['--version'], { encoding: 'utf8' }).trim();
  return {
    cores: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    natsServer: natsVersion.replace(/^nats-server:\s*/, ''),
    platform: `${process.platform} ${process.arch}`,
  };
}
