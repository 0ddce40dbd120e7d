import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, request, startServiceProcess, type ServiceProcess } from '@veto/e2e';
import { startNatsServer } from '@veto/events/testing';
import { openDatabase } from '@veto/storage';
import autocannon from 'autocannon';
import { startBenchChild } from './bench-child';
import { BENCHMARKS_DOC, RESULTS_DIR } from './bench-report';
import { replaceGeneratedSection } from './generated-section';
import { machineFacts } from './machine-facts';
import { formatNumber, markdownTable, verdict } from './markdown-table';
import type { PgliteProbeReport } from './pglite-probe';
import { collectedAfter, highestWithin, MEMORY_PROBE_ARGS, memoryProbeRecords, recordAt, type MemoryBreakdown } from './memory-probe-records';
import { processCpuSeconds } from './process-cpu';
import { findProcess, processMemory, type ProcessMemory } from './process-memory';

const REPOSITORY = join(__dirname, '..', '..');

/** The target: resident memory of one service instance under load, with PostgreSQL. */
export const FOOTPRINT_TARGET_MIB = 120;

/** One service process over a run. */
export interface ServiceFootprint {
  /** After the first start (a fresh PGlite directory or schema) and `settleSeconds`. */
  readonly idle: ProcessMemory;
  /** Highest VmRSS sampled during the load. */
  readonly loadRssMiB: number;
  /** VmHWM at the end of the load (includes the start-up peak). */
  readonly loadPeakMiB: number;
  readonly requestsPerSecond: number;
  /** CPU time (user + system) of the service process during the load, divided by its responses. */
  readonly cpuMsPerRequest: number;
  /** 2xx share of the load's responses. */
  readonly okShare: number;
  /** After a restart on the same data and `settleSeconds`. */
  readonly idleAfterRestart: ProcessMemory;
  /** The memory probe's split when idle memory was read, at the highest RSS of the load, and after two full collections right after the load. */
  readonly breakdown: { readonly idle: MemoryBreakdown; readonly load: MemoryBreakdown; readonly collected: MemoryBreakdown };
}

/** Auth, tickets and nats-server with one database. */
export interface DatabaseFootprint {
  readonly database: 'pglite' | 'postgres';
  /** `built`: `dist/main.js`, what `npm start` runs; `sources`: `src/main.ts` through tsx, as the tests and other suites run them. */
  readonly entry: 'built' | 'sources';
  /** Extra node flags of both services (none by default). */
  readonly nodeArgs: readonly string[];
  readonly auth: ServiceFootprint;
  readonly tickets: ServiceFootprint;
  readonly nats: ProcessMemory;
  /** 1-minute load average of the machine when the load ended. */
  readonly loadAverage: number;
}

/** PGlite alone, with one set of settings: a first start (initdb in the process) and a restart. */
export interface PgliteSettingsFootprint {
  readonly settings: readonly string[];
  readonly firstStart: PgliteProbeReport;
  readonly restart: PgliteProbeReport;
}

/** What {@link runFootprintSuite} measured. */
export interface FootprintResults {
  readonly loadSeconds: number;
  readonly connections: number;
  readonly databases: readonly DatabaseFootprint[];
  readonly pglite: readonly PgliteSettingsFootprint[];
}

/** Options of {@link runFootprintSuite}. */
export interface FootprintOptions {
  readonly loadSeconds: number;
  /** Connections per loaded service. */
  readonly connections: number;
  /** Wait after ready before reading idle memory (start-up garbage collected, timers settled). */
  readonly settleSeconds: number;
  readonly log: (line: string) => void;
}

/**
 * Semi-space sizes (MB) tried against the growth under load: V8's young generation (two
 * semi-spaces, up to 16 MB each on 64-bit by default) is where request garbage lives, and it stays
 * committed once grown.
 */
const SEMI_SPACE_SIZES_MB: readonly number[] = [1, 2, 4, 8];

/** PGlite settings compared by the probe: PGlite's defaults, then what packages/storage uses. */
const PGLITE_VARIANTS: readonly (readonly string[])[] = [[], ['shared_buffers=16MB']];

// --expose-gc only exposes gc() to the probe (run on SIGUSR2 after the load); V8's own collections are unchanged.
const PROBE_ARGS: readonly string[] = ['--expose-gc', ...MEMORY_PROBE_ARGS];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function mib(value: number): string {
  return formatNumber(value);
}

interface Load {
  readonly responses: number;
  readonly requestsPerSecond: number;
  readonly okShare: number;
}

function load(url: string, token: string, connections: number, seconds: number): Promise<Load> {
  let ok = 0;
  let responses = 0;
  return new Promise((resolve, reject) => {
    const instance = autocannon({ url, headers: { authorization: `Bearer ${token}` }, connections, duration: seconds, timeout: 5 }, (error, result) => {
      if (error) reject(error);
      else resolve({ responses, requestsPerSecond: responses / result.duration, okShare: responses === 0 ? 0 : ok / responses });
    });
    instance.on('response', (_client, status) => {
      responses += 1;
      if (status >= 200 && status < 300) ok += 1;
    });
  });
}

async function pgliteVariant(settings: readonly string[]): Promise<PgliteSettingsFootprint> {
  const dataDir = mkdtempSync(join(tmpdir(), 'veto-footprint-probe-'));
  try {
    const run = async () => {
      const child = await startBenchChild<PgliteProbeReport>(
        'pglite-probe.ts',
        { PROBE_DATA_DIR: join(dataDir, 'pg'), PROBE_SETTINGS: JSON.stringify(settings) },
        { nodeArgs: ['--expose-gc'] },
      );
      await child.stop();
      return child.ready;
    };
    const firstStart = await run();
    return { settings, firstStart, restart: await run() };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function measureDatabase(database: 'pglite' | 'postgres', entry: 'built' | 'sources', nodeArgs: readonly string[], options: FootprintOptions): Promise<DatabaseFootprint> {
  const databaseUrl = process.env.DATABASE_URL;
  const run = randomBytes(4).toString('hex');
  const schemas = { auth: `footprint_${run}_auth`, tickets: `footprint_${run}_tickets` };
  const dataDir = mkdtempSync(join(tmpdir(), 'veto-footprint-'));
  const nats = await startNatsServer();
  const ports = { auth: await freePort(), tickets: await freePort() };
  const dbEnv = (service: 'auth' | 'tickets'): Record<string, string> =>
    database === 'postgres' && databaseUrl ? { DATABASE_URL: databaseUrl, DATABASE_SCHEMA: schemas[service] } : {};
  const common = { VETO_ENV: 'local', LOG_LEVEL: 'warn', NATS_URL: nats.url };
  const admin = { email: 'footprint-admin@example.com', password: 'footprint admin password' };
  const startAuth = () =>
    startServiceProcess({
      name: 'auth',
      service: 'auth',
      port: ports.auth,
      fromBuild: entry === 'built',
      nodeArgs: [...PROBE_ARGS, ...nodeArgs],
      env: { ...common, DATA_DIR: join(dataDir, 'auth'), ADMIN_EMAIL: admin.email, ADMIN_PASSWORD: admin.password, ...dbEnv('auth') },
    });
  const startTickets = () =>
    startServiceProcess({
      name: 'tickets',
      service: 'tickets',
      port: ports.tickets,
      fromBuild: entry === 'built',
      nodeArgs: [...PROBE_ARGS, ...nodeArgs],
      env: { ...common, DATA_DIR: join(dataDir, 'tickets'), JWKS_URL: `http://127.0.0.1:${ports.auth}/.well-known/jwks.json`, ...dbEnv('tickets') },
    });
  const started: ServiceProcess[] = [];
  const up = async (start: () => ServiceProcess) => {
    const service = start();
    started.push(service);
    await service.waitReady();
    return service;
  };
  const pid = (service: ServiceProcess) => {
    if (service.pid === undefined) throw new Error(`${service.name} has no pid`);
    return service.pid;
  };
  try {
    options.log(`footprint ${database} ${entry} ${nodeArgs.join(' ')}: starting auth and tickets`);
    let auth = await up(startAuth);
    let tickets = await up(startTickets);
    await sleep(options.settleSeconds * 1000);
    const idle = { auth: processMemory(pid(auth)), tickets: processMemory(pid(tickets)) };
    const idleAt = Date.now();

    const signUp = await request('POST', `${auth.url}/api/users/signup`, { body: { email: `footprint-${run}@example.com`, password: 'footprint password, not a secret' } });
    if (signUp.status !== 201) throw new Error(`sign-up answered ${signUp.status}: ${JSON.stringify(signUp.body)}`);
    const token = signUp.body.accessToken as string;
    for (let i = 0; i < 20; i += 1) {
      const created = await request('POST', `${tickets.url}/api/tickets`, { token, body: { title: `Footprint ${i}`, price: 100 + i } });
      if (created.status !== 201) throw new Error(`creating a ticket answered ${created.status}: ${JSON.stringify(created.body)}`);
    }

    options.log(`footprint ${database} ${entry} ${nodeArgs.join(' ')}: ${options.loadSeconds} s of load on GET /api/tickets and GET /api/users/me`);
    const highest = { auth: 0, tickets: 0 };
    const sampler = setInterval(() => {
      highest.auth = Math.max(highest.auth, processMemory(pid(auth)).rssMiB);
      highest.tickets = Math.max(highest.tickets, processMemory(pid(tickets)).rssMiB);
    }, 200);
    let loads: [Load, Load];
    const loadFrom = Date.now();
    const cpuBefore = { auth: processCpuSeconds(pid(auth)), tickets: processCpuSeconds(pid(tickets)) };
    try {
      loads = await Promise.all([
        load(`${tickets.url}/api/tickets`, token, options.connections, options.loadSeconds),
        load(`${auth.url}/api/users/me`, token, options.connections, options.loadSeconds),
      ]);
    } finally {
      clearInterval(sampler);
    }
    const loadTo = Date.now();
    const cpuSeconds = { auth: processCpuSeconds(pid(auth)) - cpuBefore.auth, tickets: processCpuSeconds(pid(tickets)) - cpuBefore.tickets };
    const loadAverage = loadavg()[0] ?? 0;
    const afterLoad = { auth: processMemory(pid(auth)), tickets: processMemory(pid(tickets)) };
    // Live memory right after the load: the probe collects twice on SIGUSR2 and writes a record.
    const collectAt = Date.now();
    process.kill(pid(auth), 'SIGUSR2');
    process.kill(pid(tickets), 'SIGUSR2');
    for (let waited = 0; waited < 10_000; waited += 100) {
      if ([auth, tickets].every((service) => memoryProbeRecords(service.output()).some((record) => record.collected && record.at >= collectAt))) break;
      await sleep(100);
    }
    const breakdown = (service: ServiceProcess) => {
      const records = memoryProbeRecords(service.output());
      return { idle: recordAt(records, idleAt), load: highestWithin(records, loadFrom, loadTo), collected: collectedAfter(records, collectAt) };
    };
    const breakdowns = { auth: breakdown(auth), tickets: breakdown(tickets) };
    const natsMemory = processMemory(findProcess(['nats-server', String(nats.port)]));

    options.log(`footprint ${database} ${entry} ${nodeArgs.join(' ')}: restarting both on the same data`);
    await tickets.stop();
    await auth.stop();
    auth = await up(startAuth);
    tickets = await up(startTickets);
    await sleep(options.settleSeconds * 1000);
    const restarted = { auth: processMemory(pid(auth)), tickets: processMemory(pid(tickets)) };

    const footprint = (service: 'auth' | 'tickets', index: 0 | 1): ServiceFootprint => ({
      idle: idle[service],
      loadRssMiB: Math.max(highest[service], afterLoad[service].rssMiB),
      loadPeakMiB: afterLoad[service].peakMiB,
      requestsPerSecond: loads[index].requestsPerSecond,
      cpuMsPerRequest: loads[index].responses === 0 ? 0 : (cpuSeconds[service] * 1000) / loads[index].responses,
      okShare: loads[index].okShare,
      idleAfterRestart: restarted[service],
      breakdown: breakdowns[service],
    });
    return { database, entry, nodeArgs, auth: footprint('auth', 1), tickets: footprint('tickets', 0), nats: natsMemory, loadAverage };
  } finally {
    for (const service of started.reverse()) await service.stop();
    await nats.stop();
    rmSync(dataDir, { recursive: true, force: true });
    if (database === 'postgres' && databaseUrl) await dropSchemas(databaseUrl, Object.values(schemas));
  }
}

async function dropSchemas(databaseUrl: string, schemas: readonly string[]): Promise<void> {
  const handle = await openDatabase({ databaseUrl, schemaName: 'public', schema: {} });
  try {
    if (!('pool' in handle.raw)) return;
    for (const schema of schemas) await handle.raw.pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await handle.close();
  }
}

/**
 * Measures the resident memory of the auth and tickets services as real processes, idle and under
 * load, with the memory probe's breakdown: built with PGlite; and — when `DATABASE_URL` is set —
 * with PostgreSQL in schemas of their own (dropped afterwards), built with node's defaults and with
 * each semi-space size of {@link SEMI_SPACE_SIZES_MB}, then from their sources through tsx; and
 * PGlite alone with its default settings against the ones packages/storage uses.
 *
 * @param options - see {@link FootprintOptions}
 * @throws Error when a service does not start or the set-up requests fail
 * @example
 * const results = await runFootprintSuite({ loadSeconds: 10, connections: 10, settleSeconds: 3, log: console.log });
 */
export async function runFootprintSuite(options: FootprintOptions): Promise<FootprintResults> {
  const pglite: PgliteSettingsFootprint[] = [];
  for (const settings of PGLITE_VARIANTS) {
    options.log(`footprint: PGlite alone with ${settings.length === 0 ? 'its defaults' : settings.join(' ')}`);
    pglite.push(await pgliteVariant(settings));
  }
  options.log('footprint: building the services (npm start runs them built)');
  execFileSync(process.execPath, [join(REPOSITORY, 'scripts', 'build.mjs')], { stdio: 'inherit' });
  const databases: DatabaseFootprint[] = [await measureDatabase('pglite', 'built', [], options)];
  if (process.env.DATABASE_URL) {
    databases.push(await measureDatabase('postgres', 'built', [], options));
    for (const size of SEMI_SPACE_SIZES_MB) databases.push(await measureDatabase('postgres', 'built', [`--max-semi-space-size=${size}`], options));
    databases.push(await measureDatabase('postgres', 'sources', [], options));
  } else {
    options.log('footprint: DATABASE_URL is not set, PostgreSQL skipped');
  }
  return { loadSeconds: options.loadSeconds, connections: options.connections, databases, pglite };
}

/**
 * The footprint section of docs/benchmarks.md: one table per database, then PGlite's settings.
 *
 * @param results - from {@link runFootprintSuite}
 * @example
 * replaceGeneratedSection(doc, 'footprint', footprintMarkdown(results));
 */
export function footprintMarkdown(results: FootprintResults): string {
  const parts: string[] = [];
  const runName = (run: DatabaseFootprint): string => `${run.database === 'pglite' ? 'PGlite' : 'PostgreSQL'}, ${run.entry === 'built' ? 'built' : 'tsx'}`;
  const flags = (run: DatabaseFootprint): string => (run.nodeArgs.length === 0 ? 'none' : run.nodeArgs.map((flag) => `\`${flag}\``).join(' '));
  const rows: string[][] = [];
  for (const run of results.databases) {
    for (const name of ['auth', 'tickets'] as const) {
      const service = run[name];
      rows.push([
        runName(run),
        flags(run),
        name,
        mib(service.idle.rssMiB),
        mib(service.idleAfterRestart.rssMiB),
        mib(service.loadRssMiB),
        mib(service.loadPeakMiB),
        formatNumber(service.requestsPerSecond),
        formatNumber(service.cpuMsPerRequest, 2),
        `${(service.okShare * 100).toFixed(1)}%`,
        run.database === 'postgres' ? verdict(service.loadRssMiB <= FOOTPRINT_TARGET_MIB) : '—',
        run.loadAverage.toFixed(2),
      ]);
    }
  }
  const nats = results.databases.map((run) => run.nats.rssMiB);
  parts.push(
    `Every run: auth and tickets built (\`dist/main.js\`, what \`npm start\` runs, there with \`--max-semi-space-size=1\`) or from their sources through tsx (as the tests and suites 1–4 run them), with the node flags shown, ${results.loadSeconds} s of load, ${results.connections} connections per service, both services loaded at once; the runs one after the other in the order of the table. The load average is the machine's 1-minute one at the end of each load. nats-server: ${[...new Set([Math.min(...nats), Math.max(...nats)].map(mib))].join('–')} MB.`,
    markdownTable(
      [
        'Database, entry',
        'Node flags',
        'Process',
        'Idle after first start (MB)',
        'Idle after restart (MB)',
        'Under load, max VmRSS (MB)',
        'VmHWM (MB)',
        'req/s',
        'CPU ms per request',
        '2xx',
        `≤ ${FOOTPRINT_TARGET_MIB} MB`,
        'Load avg',
      ],
      rows,
      ['l', 'l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l', 'r'],
    ),
  );
  const split: string[][] = [];
  for (const run of results.databases) {
    for (const name of ['auth', 'tickets'] as const) {
      for (const [state, record] of [
        ['idle', run[name].breakdown.idle],
        ['load', run[name].breakdown.load],
        ['after load, 2 full GCs', run[name].breakdown.collected],
      ] as const) {
        split.push([
          runName(run),
          flags(run),
          name,
          state,
          mib(record.rss),
          mib(record.heapTotal),
          mib(record.newSpace),
          mib(record.oldSpace),
          mib(record.codeSpace),
          mib(record.largeObjects),
          mib(record.heapUsed),
          mib(record.external),
          mib(record.arrayBuffers),
          mib(record.rss - record.heapTotal - record.external),
        ]);
      }
    }
  }
  parts.push(
    'Where the memory is, from the memory probe in each service process (`bench/src/memory-probe.mjs`, `process.memoryUsage()` and `v8.getHeapSpaceStatistics()` every 250 ms): idle when the idle VmRSS above was read, load at the sample with the highest RSS, then right after the load two full collections (`--expose-gc`, on SIGUSR2): what stays is live. Heap spaces are committed sizes; the rest is RSS − heap − external (the node binary and native libraries, native allocations, thread stacks), in MB:',
    markdownTable(
      [
        'Database, entry',
        'Node flags',
        'Process',
        'When',
        'RSS',
        'V8 heap',
        'new space',
        'old space',
        'code space',
        'large objects',
        'heap used',
        'external',
        'of which ArrayBuffers',
        'rest',
      ],
      split,
      ['l', 'l', 'l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
    ),
  );
  parts.push(
    'PGlite alone (a child process that opens it, runs 2,000 inserts and 2,000 reads, nothing of Veto loaded; a first start runs initdb in the process), VmRSS in MB:',
    markdownTable(
      [
        'Settings',
        'shared_buffers',
        'First start: opened',
        'First start: after work',
        'First start: after a full GC',
        'Restart: opened',
        'Restart: after work',
        'Restart: after a full GC',
        'Restart VmHWM',
      ],
      results.pglite.map((variant) => [
        variant.settings.length === 0 ? "PGlite's defaults" : variant.settings.join(', '),
        variant.restart.sharedBuffers,
        mib(variant.firstStart.opened.rssMiB),
        mib(variant.firstStart.worked.rssMiB),
        mib(variant.firstStart.collected.rssMiB),
        mib(variant.restart.opened.rssMiB),
        mib(variant.restart.worked.rssMiB),
        mib(variant.restart.collected.rssMiB),
        mib(variant.restart.worked.peakMiB),
      ]),
      ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
    ),
  );
  return parts.join('\n\n');
}

/**
 * Writes `bench/results/footprint.json` and the footprint section of docs/benchmarks.md only (not
 * the shared machine and targets sections `writeSuiteReport` rewrites: the footprint has no target
 * there yet, and its machine facts are in its JSON).
 *
 * @param results - from {@link runFootprintSuite}
 * @example
 * writeFootprintReport(await runFootprintSuite(options));
 */
export function writeFootprintReport(results: FootprintResults): void {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const report = { suite: 'footprint', finishedAt: new Date().toISOString(), machine: machineFacts(), ...results };
  writeFileSync(join(RESULTS_DIR, 'footprint.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(BENCHMARKS_DOC, replaceGeneratedSection(readFileSync(BENCHMARKS_DOC, 'utf8'), 'footprint', footprintMarkdown(results)));
}
