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
      if (figures.sets !== undefined) {
        // A SET per ban at the receiver (at least once), one jti however often it came, none refused.
        expect({ bansWithoutASet: figures.sets.lost, bansWithSeveralJtis: figures.sets.bansWithSeveralJtis, setsRefused: figures.sets.refused }).toEqual({
          bansWithoutASet: 0,
          bansWithSeveralJtis: 0,
          setsRefused: 0,
        });
      }
    }, 360_000);
  }
});
