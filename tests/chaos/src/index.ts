// The chaos engine, shared by the CI test (chaos.test.ts) and `pnpm chaos` (main.ts).
export { SCENARIOS, type Scenario } from './scenarios';
export { runScenario, type ScenarioContext, type ScenarioSettings } from './scenario-run';
export { figuresTable, LIE_GAP_MS, scenarioHeld, type ScenarioFigures } from './scenario-figures';
export { CI_RUN, FULL_RUN } from './run-sizes';
