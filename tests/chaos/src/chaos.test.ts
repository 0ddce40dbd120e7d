import { SCENARIOS } from './scenarios';
import { figuresTable, scenarioHeld } from './scenario-figures';
import { CI_RUN } from './run-sizes';

describe('chaos: nats-server, auth and two tickets instances as processes, killed during bans', () => {
  for (const scenario of SCENARIOS) {
    test(`${scenario.id}. ${scenario.title}: no ban lost, no instance ready while it lets a banned token through`, async () => {
      const figures = await scenario.run(CI_RUN);
      console.log(`${figuresTable([figures])}${scenarioHeld(figures) ? '' : `\n\nservice output:\n${figures.processOutput}`}`);
      expect(figures.attempted).toBeGreaterThan(0);
      expect({ lost: figures.lost, readinessLies: figures.lies, forgottenAfterRestart: figures.forgotten, validTokensRefused: figures.wronglyRefused }).toEqual({
        lost: 0,
        readinessLies: 0,
        forgottenAfterRestart: 0,
        validTokensRefused: 0,
      });
    }, 240_000);
  }
});
