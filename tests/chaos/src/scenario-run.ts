import { randomBytes } from 'node:crypto';
import { request } from '@veto/e2e';
import { createBanLedger, presentToken, type BanLedger } from './ban-ledger';
import { startChaosCluster, type ChaosCluster } from './chaos-cluster';
import { startReadinessSampler } from './readiness-sampler';
import { streamStoreTimes } from './stream-times';
import { within } from './within';
import { scenarioFigures, type ScenarioFigures } from './scenario-figures';

/** How big and how patient a run is: the CI run is small, `pnpm chaos` larger. */
export interface ScenarioSettings {
  /** Bans between two faults (and after the last one). */
  readonly bansPerPhase: number;
  /** How often a repeated fault is injected (scenario 1). */
  readonly cycles: number;
  /** How long after the faults end a ban may take to be enforced before it counts as lost. */
  readonly settleMs: number;
  readonly ticketsInstances: number;
  /** PostgreSQL for every service; PGlite per process when unset. */
  readonly databaseUrl?: string;
}

/** A user signed up and signed in, its token never shown to a tickets instance yet. */
export interface ChaosUser {
  readonly userId: string;
  readonly token: string;
}

/** Bans one after another in the background, until stopped. */
export interface BanLoop {
  /** Resolves once `count` bans were confirmed since the loop started, or after `settleMs` more (noted) so a broken service cannot hang the run. */
  confirmed(count: number): Promise<void>;
  stop(): Promise<void>;
}

/** What a scenario's body works with. */
export interface ScenarioContext {
  readonly cluster: ChaosCluster;
  readonly ledger: BanLedger;
  readonly settings: ScenarioSettings;
  /** Signs a new user up and in (the sign-in's token is the one banned and probed). */
  newUser(): Promise<ChaosUser>;
  /** Bans `user` through the admin API; a 200 goes to the ledger, anything else is counted as failed. */
  ban(user: ChaosUser): Promise<boolean>;
  /** Starts banning new users back to back. */
  startBanLoop(): BanLoop;
  /** Crashes and restarts tickets instance `position`, then presents every earlier ban to it once: each 200 counts as forgotten. */
  crashTicketsAndCheck(position: number): Promise<void>;
  /** Presents tokens of users who are not banned to every instance until each is accepted or `deadline` (`performance.now()`) passes. */
  expectAccepted(users: readonly ChaosUser[], deadline: number): Promise<void>;
  note(text: string): void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Tells "committed but never delivered" from "not committed at all" for the lost bans, when auth answers.
async function noteLostBansAuthRecorded(context: ScenarioContext): Promise<void> {
  const lost = context.ledger.bans.filter((ban) => ban.unenforcedAtEnd.size > 0);
  if (lost.length === 0) return;
  const { deployment } = context.cluster;
  const adminToken = await deployment.adminToken().catch(() => undefined);
  if (adminToken === undefined) return;
  const answers = await Promise.all(lost.map((ban) => request('GET', `${deployment.authUrl}/api/admin/users/${ban.userId}`, { token: adminToken }).catch(() => undefined)));
  const recorded = answers.filter((answer) => answer?.status === 200 && (answer.body.user as { bannedAt?: string | null }).bannedAt).length;
  context.note(`auth still records ${recorded} of the ${lost.length} lost bans`);
}

/**
 * Runs one scenario on a fresh cluster: samples `/readyz` of every tickets instance every
 * 100 ms throughout, runs `body` (the faults and bans), then gives every ban until
 * `settleMs` after the body returned to be enforced everywhere, checks them all once more
 * and stops the cluster.
 *
 * @returns the scenario's figures
 * @throws Error when the cluster does not start
 * @example
 * const figures = await runScenario('nats restart', settings, async (context) => { ... });
 */
export async function runScenario(name: string, settings: ScenarioSettings, body: (context: ScenarioContext) => Promise<void>): Promise<ScenarioFigures> {
  const started = performance.now();
  const cluster = await startChaosCluster({ ticketsInstances: settings.ticketsInstances, databaseUrl: settings.databaseUrl });
  const instanceNames = cluster.tickets.map((instance) => instance.name);
  const sampler = startReadinessSampler(() => cluster.tickets);
  let storedAt = new Map<string, number>();
  const ledger = createBanLedger(() => cluster.tickets);
  const run = randomBytes(4).toString('hex');
  const notes: string[] = [];
  let users = 0;
  let banRequestsFailed = 0;
  let forgotten = 0;
  let wronglyRefused = 0;
  // One sign-in for all bans: parallel bans must not each sign the admin in (the sign-in limits count attempts).
  let adminToken: Promise<string> | undefined;
  let processOutput = '';

  const context: ScenarioContext = {
    cluster,
    ledger,
    settings,
    async newUser() {
      users += 1;
      const email = `chaos-${run}-${users}@example.com`;
      const { userId } = await cluster.deployment.signUp(email);
      const { status, body: answer } = await cluster.deployment.signIn(email);
      if (status !== 200) throw new Error(`sign-in of ${email} answered ${status}: ${JSON.stringify(answer)}`);
      return { userId, token: answer.accessToken as string };
    },
    async ban(user) {
      adminToken ??= cluster.deployment.adminToken();
      const answer = await cluster.deployment.ban(await adminToken, user.userId, 'chaos').catch(() => undefined);
      if (answer?.status !== 200) {
        banRequestsFailed += 1;
        return false;
      }
      ledger.record(user.userId, user.token, performance.now(), typeof answer.body.eventId === 'string' ? answer.body.eventId : undefined);
      return true;
    },
    startBanLoop() {
      let stopped = false;
      let confirmed = 0;
      const waiters: { count: number; resolve: () => void }[] = [];
      const loop = (async () => {
        while (!stopped) {
          const ok = await context.newUser().then(context.ban, (error: unknown) => {
            context.note(`a sign-up failed: ${(error as Error).message.slice(0, 120)}`);
            return false;
          });
          if (ok) confirmed += 1;
          for (const waiter of waiters.filter(({ count }) => confirmed >= count)) waiter.resolve();
          // Paces the loop so probes and services share the machine.
          await sleep(ok ? 50 : 500);
        }
      })();
      return {
        async confirmed(count) {
          const reached = new Promise<void>((resolve) => (confirmed >= count ? resolve() : waiters.push({ count, resolve })));
          if (!(await within(reached, settings.settleMs))) {
            context.note(`the ban loop confirmed ${confirmed} bans, not ${count}, within ${settings.settleMs} ms`);
          }
        },
        async stop() {
          stopped = true;
          await loop;
        },
      };
    },
    async crashTicketsAndCheck(position) {
      const earlier = [...ledger.bans];
      try {
        await cluster.crashTickets(position, settings.settleMs);
      } catch {
        const lastWords =
          cluster.tickets[position]!.output()
            .split('\n')
            .find((line) => line.includes('failed to start')) ?? 'no output';
        context.note(`tickets-${position + 1} did not become ready again (${lastWords.trim().slice(0, 160)})`);
        return;
      }
      const instance = cluster.tickets[position]!;
      const answers = await Promise.all(earlier.map((ban) => presentToken(instance, ban.token)));
      forgotten += answers.filter(({ answer }) => answer === 'accepted').length;
    },
    async expectAccepted(valid, deadline) {
      const outcomes = await Promise.all(
        valid.flatMap((user) =>
          cluster.tickets.map(async (_, position) => {
            while (performance.now() < deadline) {
              if ((await presentToken(cluster.tickets[position]!, user.token)).answer === 'accepted') return true;
              await sleep(100);
            }
            return false;
          }),
        ),
      );
      wronglyRefused += outcomes.filter((accepted) => !accepted).length;
    },
    note(text) {
      if (!notes.includes(text)) notes.push(text);
    },
  };

  try {
    await body(context);
    ledger.setDeadline(performance.now() + settings.settleMs);
    await ledger.finalCheck();
    storedAt = await streamStoreTimes(cluster.nats).catch((error: unknown) => {
      context.note(`the stream could not be read for its store times: ${(error as Error).message.slice(0, 120)}`);
      return storedAt;
    });
    await noteLostBansAuthRecorded(context);
  } finally {
    ledger.setDeadline(0);
    await sampler.stop();
    processOutput = cluster.output();
    await cluster.stop();
  }
  return scenarioFigures(name, ledger.bans, instanceNames, sampler.ready, (eventId) => storedAt.get(eventId), {
    banRequestsFailed,
    forgotten,
    wronglyRefused,
    readinessSamples: sampler.sent(),
    durationMs: performance.now() - started,
    notes,
    processOutput,
  });
}
