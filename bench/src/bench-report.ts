import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { replaceGeneratedSection } from './generated-section';
import { machineFacts, type MachineFacts } from './machine-facts';
import { markdownTable } from './markdown-table';
import { targetsSummary, type LatestResults } from './targets-summary';

const REPOSITORY = join(__dirname, '..', '..');
/** Where each suite writes its JSON results. */
export const RESULTS_DIR = join(REPOSITORY, 'bench', 'results');
/** The document whose generated sections the suites rewrite. */
export const BENCHMARKS_DOC = join(REPOSITORY, 'docs', 'benchmarks.md');
/** Where the SVG charts go, next to the document that embeds them. */
export const CHARTS_DIR = join(REPOSITORY, 'docs', 'benchmarks');

function latestResults(): LatestResults {
  const latest: Record<string, unknown> = {};
  for (const suite of ['overhead', 'propagation', 'replay', 'storm']) {
    const file = join(RESULTS_DIR, `${suite}.json`);
    if (existsSync(file)) latest[suite] = JSON.parse(readFileSync(file, 'utf8'));
  }
  return latest as LatestResults;
}

function machineTable(facts: MachineFacts, finishedAt: string): string {
  return markdownTable(
    ['Fact', 'Value'],
    [
      ['CPU', `${facts.cpuModel}, ${facts.cores} cores`],
      ['Memory', `${facts.memoryGiB} GiB`],
      ['Node.js', facts.node],
      ['nats-server', facts.natsServer],
      ['Platform', facts.platform],
      ['Last run', finishedAt],
    ],
  );
}

/**
 * Records one suite's outcome: `bench/results/<suite>.json` (the raw numbers, with the machine
 * facts), the suite's section of docs/benchmarks.md, the machine section, the summary of every
 * target (from the latest results of all suites), and any SVG charts.
 *
 * @param suite - `overhead`, `propagation`, `replay`, `storm` or `signals`
 * @param outcome - the JSON results, the markdown section and charts by file name
 * @example
 * writeSuiteReport('replay', { results, markdown, charts: {} });
 */
export function writeSuiteReport(suite: string, outcome: { results: unknown; markdown: string; charts?: Record<string, string> }): void {
  const facts = machineFacts();
  const finishedAt = new Date().toISOString();
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(join(RESULTS_DIR, `${suite}.json`), `${JSON.stringify({ suite, finishedAt, machine: facts, ...(outcome.results as object) }, null, 2)}\n`);
  mkdirSync(CHARTS_DIR, { recursive: true });
  for (const [name, svg] of Object.entries(outcome.charts ?? {})) writeFileSync(join(CHARTS_DIR, name), svg);
  let doc = readFileSync(BENCHMARKS_DOC, 'utf8');
  doc = replaceGeneratedSection(doc, 'machine', machineTable(facts, finishedAt));
  doc = replaceGeneratedSection(doc, suite, outcome.markdown);
  doc = replaceGeneratedSection(doc, 'summary', targetsSummary(latestResults()));
  writeFileSync(BENCHMARKS_DOC, doc);
}
