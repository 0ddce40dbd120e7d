import { SCENARIOS } from './scenarios';
import { figuresTable, scenarioHeld } from './scenario-figures';
import { CI_RUN } from './run-sizes';

// Faults being fixed on other branches: these scenarios fail on main (measured 2026-12-01) and
// keep their full assertions; a fix that lands removes its line here.
const KNOWN_TO_FAIL_ON_MAIN: Readonly<Record<string, string>> = {
  '1': 'fan-out stall after a NATS restart (intermittent: the consumer lost with the server is recreated ~14 s later, /readyz stays 200)',
  '2': 'stream reset after store loss (nobody recreates AUTH: the relay gets no responders, the feed stream not found; /readyz stays 200)',
  '3': "outbox takeover after an auth crash (the dead instance's rows stay leased for 30 s; /readyz stays 200)",
};

describe('chaos: nats-server, auth and two tickets instances as processes, killed during bans', () => {
  for (const scenario of SCENARIOS) {
    const known = KNOWN_TO_FAIL_ON_MAIN[scenario.id];
    const title = `${scenario.id}. ${scenario.title}: no ban lost, no instance ready while it lets a banned token through`;
    test(known === undefined ? title : `${title} [known to fail on main: ${known}]`, async () => {
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
