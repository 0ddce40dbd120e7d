import { SCENARIOS } from './scenarios';
import { figuresTable, scenarioHeld, type ScenarioFigures } from './scenario-figures';
import { FULL_RUN } from './run-sizes';

// `pnpm chaos [id ...]`: the full run (every scenario unless ids are given), one table row per scenario.
async function main(): Promise<void> {
  const ids = process.argv.slice(2);
  const unknown = ids.filter((id) => !SCENARIOS.some((scenario) => scenario.id === id));
  if (unknown.length > 0) throw new TypeError(`unknown scenario ${unknown.join(', ')}; known: ${SCENARIOS.map(({ id }) => id).join(', ')}`);
  const selected = ids.length === 0 ? SCENARIOS : SCENARIOS.filter((scenario) => ids.includes(scenario.id));
  console.log(`chaos: ${selected.length} scenarios, ${FULL_RUN.ticketsInstances} tickets instances, ${FULL_RUN.databaseUrl ? 'PostgreSQL' : 'PGlite'}`);
  const rows: ScenarioFigures[] = [];
  for (const scenario of selected) {
    console.log(`\n${scenario.id}. ${scenario.title}`);
    try {
      const figures = await scenario.run(FULL_RUN);
      rows.push(figures);
      console.log(figuresTable([figures]));
      if (!scenarioHeld(figures)) console.log(`service output:\n${figures.processOutput}`);
    } catch (error) {
      // The other scenarios still tell something: report this one and go on.
      console.error(`scenario ${scenario.id} could not run:`, error);
      process.exitCode = 1;
    }
  }
  console.log(`\n${figuresTable(rows)}`);
}

main().then(
  () => process.exit(),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
