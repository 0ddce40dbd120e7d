import type { ScenarioFigures } from './scenario-figures';
import { runSignalsScenario } from './signals-scenario';
import { runScenario, type ChaosUser, type ScenarioContext, type ScenarioSettings } from './scenario-run';

/** One fault scenario: its table label and how to run it. */
export interface Scenario {
  /** `1` … `6`, for selecting on the command line. */
  readonly id: string;
  readonly title: string;
  run(settings: ScenarioSettings): Promise<ScenarioFigures>;
}

const lastInstance = (context: ScenarioContext) => context.cluster.tickets.length - 1;

async function newUsers(context: ScenarioContext, count: number): Promise<ChaosUser[]> {
  return Promise.all(Array.from({ length: count }, () => context.newUser()));
}

/** Bans while `fault` is injected after every `bansPerPhase` confirmed bans, `times` times, and `bansPerPhase` more after the last. */
async function banThroughFaults(context: ScenarioContext, times: number, fault: () => Promise<void>): Promise<void> {
  const loop = context.startBanLoop();
  try {
    for (let round = 1; round <= times; round += 1) {
      await loop.confirmed(round * context.settings.bansPerPhase);
      await fault();
    }
    await loop.confirmed((times + 1) * context.settings.bansPerPhase);
  } finally {
    await loop.stop();
  }
}

/**
 * Signs up twice `bansPerPhase` users, bans half of them and waits until those bans are
 * enforced, then kills the auth service for good: the other half's tokens were never
 * presented to a tickets instance.
 */
async function banHalfThenKillAuth(context: ScenarioContext): Promise<ChaosUser[]> {
  const users = await newUsers(context, context.settings.bansPerPhase * 2);
  const banned = users.slice(0, context.settings.bansPerPhase);
  for (const user of banned) await context.ban(user);
  await context.ledger.enforcedEverywhere(context.settings.settleMs);
  await context.cluster.killAuth();
  return users.slice(banned.length);
}

/** The scenarios in the order `pnpm chaos` runs them. */
export const SCENARIOS: readonly Scenario[] = [
  {
    id: '1',
    title: 'NATS kill -9 + restart (same store) during a ban loop',
    run: (settings) =>
      runScenario(`1. NATS kill -9 + restart, same store (${settings.cycles}×)`, settings, (context) =>
        banThroughFaults(context, settings.cycles, () => context.cluster.crashNats()),
      ),
  },
  {
    id: '2',
    title: 'NATS store loss: kill -9, wipe the store, restart empty, keep banning',
    run: (settings) =>
      runScenario('2. NATS kill -9, store wiped, restart empty', settings, (context) => banThroughFaults(context, 1, () => context.cluster.crashNats({ emptyStore: true }))),
  },
  {
    id: '3',
    title: 'auth kill -9 right after parallel bans, then restart',
    run: (settings) =>
      runScenario(`3. auth kill -9 right after ${settings.bansPerPhase * 2} parallel bans, restart`, settings, async (context) => {
        const users = await newUsers(context, settings.bansPerPhase * 2);
        await Promise.all(users.map((user) => context.ban(user)));
        await context.cluster.killAuth();
        await context.cluster.restartAuth();
        for (const user of await newUsers(context, settings.bansPerPhase)) await context.ban(user);
      }),
  },
  {
    id: '4',
    title: 'tickets kill -9 + restart during a ban loop',
    run: (settings) =>
      runScenario('4. tickets kill -9 + restart during bans', settings, (context) => banThroughFaults(context, 1, () => context.crashTicketsAndCheck(lastInstance(context)))),
  },
  {
    id: '5',
    title: 'auth down: tokens never presented before are accepted, banned users refused',
    run: (settings) =>
      runScenario('5. auth down, unseen tokens', settings, async (context) => {
        const valid = await banHalfThenKillAuth(context);
        await context.expectAccepted(valid, performance.now() + settings.settleMs);
      }),
  },
  {
    id: '5b',
    title: 'auth down, and a tickets instance restarted meanwhile: unseen tokens accepted, banned users refused',
    run: (settings) =>
      runScenario('5b. auth down, tickets kill -9 + restart, unseen tokens', settings, async (context) => {
        const valid = await banHalfThenKillAuth(context);
        await context.crashTicketsAndCheck(lastInstance(context));
        await context.expectAccepted(valid, performance.now() + settings.settleMs);
      }),
  },
  {
    id: '6',
    title: 'Shared Signals push: signals kill -9 + restart, NATS kill -9 + restart, receiver outage, during a ban loop',
    run: (settings) => runSignalsScenario('6. signals kill -9, NATS kill -9, receiver down: SETs pushed', settings),
  },
];
