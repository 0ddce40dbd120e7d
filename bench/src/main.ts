import { writeSuiteReport } from './bench-report';
import { runFootprintSuite, writeFootprintReport } from './footprint-suite';
import { overheadReport, runOverheadSuite } from './overhead-suite';
import { propagationReport, runPropagationSuite } from './propagation-suite';
import { replayMarkdown, runReplaySuite } from './replay-suite';
import { runSignalsSuite, signalsReport } from './signals-suite';
import { runStormSuite, stormMarkdown } from './storm-suite';

const SUITES = ['overhead', 'propagation', 'replay', 'storm', 'footprint', 'signals'] as const;
type Suite = (typeof SUITES)[number];

// A smoke run for development: short rounds, small streams, few bans.
const QUICK = process.env.BENCH_QUICK === '1';

const log = (line: string) => process.stdout.write(`${new Date().toISOString().slice(11, 23)} ${line}\n`);

async function runSuite(suite: Suite): Promise<void> {
  const started = performance.now();
  switch (suite) {
    case 'overhead': {
      const results = await runOverheadSuite({ rounds: QUICK ? 1 : 5, durationSeconds: QUICK ? 2 : 3, connections: 10, outageSeconds: QUICK ? 1 : 3, log });
      writeSuiteReport('overhead', { results, ...overheadReport(results) });
      break;
    }
    case 'propagation': {
      // BENCH_PROPAGATION_INSTANCES=1 gives each busy process a core of its own on two cores (auth and one tickets instance).
      const instances = Number(process.env.BENCH_PROPAGATION_INSTANCES ?? 3);
      if (!Number.isInteger(instances) || instances < 1) throw new Error(`BENCH_PROPAGATION_INSTANCES must be a positive integer, got ${process.env.BENCH_PROPAGATION_INSTANCES}`);
      const results = await runPropagationSuite({ bans: QUICK ? 30 : 500, instances, log });
      writeSuiteReport('propagation', { results, ...propagationReport(results) });
      break;
    }
    case 'replay': {
      const results = await runReplaySuite({ sizes: QUICK ? [1_000, 10_000] : [10_000, 100_000, 1_000_000], rounds: QUICK ? 1 : 3, log });
      writeSuiteReport('replay', { results, markdown: replayMarkdown(results) });
      break;
    }
    case 'storm': {
      const results = await runStormSuite({ rounds: QUICK ? 1 : 5, durationSeconds: QUICK ? 2 : 5, connections: 10, rate: 1000, log });
      writeSuiteReport('storm', { results, markdown: stormMarkdown(results) });
      break;
    }
    case 'footprint': {
      writeFootprintReport(await runFootprintSuite({ loadSeconds: QUICK ? 3 : 10, connections: 10, settleSeconds: QUICK ? 1 : 3, log }));
      break;
    }
    case 'signals': {
      const results = await runSignalsSuite({ pushBans: QUICK ? 30 : 300, pollBans: QUICK ? 10 : 100, log });
      writeSuiteReport('signals', { results, ...signalsReport(results) });
      break;
    }
    default:
      throw new Error(`suite ${suite} is not implemented yet`);
  }
  log(`${suite}: done in ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((name) => !(SUITES as readonly string[]).includes(name));
  if (unknown.length > 0) throw new Error(`unknown suite(s) ${unknown.join(', ')}; choose from ${SUITES.join(', ')}`);
  const suites = wanted.length === 0 ? SUITES : (wanted as Suite[]);
  for (const suite of suites) await runSuite(suite);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
