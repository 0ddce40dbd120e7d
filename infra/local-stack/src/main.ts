import { join } from 'node:path';
// Known exception: the nats-server lookup lives in the events test harness; it belongs in a
// non-testing entry of @veto/events (reported in issue 13), until then the local stack borrows it.
// eslint-disable-next-line veto/import-boundaries
import { findNatsServer } from '@veto/events/testing';
import { banner } from './banner';
import { formatLine, shortenLine } from './child-log-line';
import { ConfigError, LocalStackError } from './errors';
import { loadStackConfig } from './stack-config';
import { markAdminAnnounced } from './stack-secrets';
import { startStack, type RunningStack } from './start-stack';

const REPOSITORY_ROOT = join(__dirname, '..', '..', '..');
const NAME_WIDTH = 7;
const COLORS: Record<string, string> = { veto: '1', gateway: '35', auth: '36', tickets: '33', signals: '34', nats: '32' };
const color = process.stdout.isTTY && !process.env.NO_COLOR;

function print(name: string, line: string): void {
  const short = name === 'veto' ? { message: line } : shortenLine(line);
  if (!short) return;
  const text = formatLine(name, short, NAME_WIDTH);
  process.stdout.write(color ? `\u001b[${COLORS[name] ?? '0'}m${text.slice(0, NAME_WIDTH)}\u001b[0m${text.slice(NAME_WIDTH)}\n` : `${text}\n`);
}

const gatewayLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: (fields: Record<string, unknown>, message: string) => print('gateway', `${message} ${String(fields.upstream ?? '')} ${String(fields.url ?? '')}`.trim()),
  error: (fields: Record<string, unknown>, message: string) => print('gateway', `${message} ${String(fields.upstream ?? '')}`.trim()),
};

function locateNatsServer(): string {
  try {
    return findNatsServer();
  } catch (error) {
    throw new LocalStackError(
      'NATS_SERVER_MISSING',
      [
        'nats-server is not installed. Install it with one of:',
        '  sudo apt-get install nats-server     (Debian, Ubuntu)',
        '  brew install nats-server             (macOS)',
        '  the release binary from https://github.com/nats-io/nats-server/releases, placed on PATH',
        'or point the stack at a running server with NATS_URL=nats://host:4222.',
      ].join('\n'),
      { cause: error },
    );
  }
}

async function main(): Promise<void> {
  const config = loadStackConfig(process.env, REPOSITORY_ROOT);
  const natsServerBinary = config.natsUrl === undefined ? locateNatsServer() : '';
  const interrupt = new AbortController();
  // Set once the stack is up; until then a signal aborts the start instead.
  const started: { stack?: RunningStack } = {};
  let stopping = false;

  const stop = async (reason: string, exitCode: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    print('veto', `${reason}: stopping`);
    if (!started.stack) {
      interrupt.abort();
      return;
    }
    const exits = await started.stack.stop();
    const unclean = exits.filter((exit) => exit.code !== 0 && exit.signal !== 'SIGTERM');
    for (const exit of unclean) print('veto', `${exit.name} stopped with code ${exit.code}, signal ${exit.signal}`);
    print('veto', 'stopped');
    process.exit(exitCode);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => void stop(signal, 0));
  }
  // Children run in their own process groups; none may outlive the launcher, however it ends.
  process.on('exit', () => started.stack?.kill());

  print('veto', `starting ${config.natsUrl === undefined ? 'nats-server, ' : ''}auth, tickets, signals and the gateway (data in ${config.dataDir})`);
  const running = await startStack({
    config,
    repositoryRoot: REPOSITORY_ROOT,
    fromSources: __filename.endsWith('.ts'),
    natsServerBinary,
    onLine: print,
    logger: gatewayLogger,
    signal: interrupt.signal,
  });
  started.stack = running;
  void running.failed.then((exit) => stop(`${exit.name} exited unexpectedly (code ${exit.code}, signal ${exit.signal})`, 1));
  process.stdout.write(banner(running, config.dataDir, process.cwd()));
  if (running.firstStart) await markAdminAnnounced(config.dataDir);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`veto: configuration error (${error.variable}): ${error.message}\n`);
  } else if (error instanceof LocalStackError) {
    process.stderr.write(`veto: ${error.code}: ${error.message}\n`);
  } else {
    process.stderr.write(`veto: failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
  process.exit(1);
});
