import type { ScenarioSettings } from './scenario-run';

const databaseUrl = process.env.DATABASE_URL || undefined;

/**
 * The bounded run of CI (chaos.test.ts): each scenario once, a few bans per phase; NATS is
 * still restarted three times in scenario 1, since a stall has shown after a later restart only.
 */
export const CI_RUN: ScenarioSettings = { bansPerPhase: 3, cycles: 3, settleMs: 20_000, ticketsInstances: 2, databaseUrl };

/** The full run of `pnpm chaos`: repeated faults, more bans, a longer deadline. */
export const FULL_RUN: ScenarioSettings = { bansPerPhase: 10, cycles: 3, settleMs: 30_000, ticketsInstances: 2, databaseUrl };
