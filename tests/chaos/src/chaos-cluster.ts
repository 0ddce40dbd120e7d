import { createVetoDeployment, type ServiceProcess, type VetoDeployment } from '@veto/e2e';
import { startNatsServer, type NatsServerHandle } from '@veto/events/testing';
import { summarizeOutput } from './process-output';

/** nats-server, the auth service and tickets instances as processes, with the faults a scenario injects. */
export interface ChaosCluster {
  readonly nats: NatsServerHandle;
  readonly deployment: VetoDeployment;
  /** The current tickets processes, by position (instance `i + 1`); a restart replaces the entry, same URL. */
  readonly tickets: readonly ServiceProcess[];
  /** SIGKILL nats-server, then start it again on the same port: with its store, or empty (`emptyStore`). */
  crashNats(options?: { emptyStore?: boolean }): Promise<void>;
  /** SIGKILL the auth service (its outbox rows stay where the crash left them). */
  killAuth(): Promise<void>;
  /** Starts the auth service again (same port and data) and waits until it is ready. */
  restartAuth(): Promise<void>;
  /** SIGKILL tickets instance at `position` and start it again at once (same port and data); resolves when it is ready. */
  crashTickets(position: number, timeoutMs?: number): Promise<void>;
  /** What each process wrote (its last lines, summarized), for failure messages. */
  output(): string;
  /** Stops every process and deletes the data. */
  stop(): Promise<void>;
}

async function kill(process_: ServiceProcess): Promise<void> {
  if (process_.pid !== undefined) {
    try {
      process.kill(process_.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await process_.stop();
}

/**
 * Starts nats-server, the auth service and `ticketsInstances` tickets instances, each tickets
 * instance with its own database under PGlite and one shared schema under PostgreSQL
 * (`DATABASE_URL`), and waits until all are ready.
 *
 * @throws Error when a process does not become ready (the cluster is stopped first)
 * @example
 * const cluster = await startChaosCluster({ ticketsInstances: 2 });
 * await cluster.crashNats();
 * await cluster.stop();
 */
export async function startChaosCluster(options: { ticketsInstances: number; databaseUrl?: string }): Promise<ChaosCluster> {
  const nats = await startNatsServer();
  const deployment = await createVetoDeployment({ natsUrl: nats.url, databaseUrl: options.databaseUrl, label: 'chaos' });
  let auth = deployment.startAuth();
  const tickets: ServiceProcess[] = [];
  const retired: ServiceProcess[] = [];
  const stop = async () => {
    await Promise.all([auth, ...tickets].map((member) => member.stop()));
    await nats.cleanup();
    await deployment.cleanup();
  };
  try {
    await auth.waitReady();
    for (let index = 1; index <= options.ticketsInstances; index += 1) tickets.push(await deployment.startTickets(index));
    await Promise.all(tickets.map((instance) => instance.waitReady()));
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    nats,
    deployment,
    tickets,
    async crashNats({ emptyStore = false } = {}) {
      await nats.restart({ kill: true, emptyStore });
    },
    async killAuth() {
      retired.push(auth);
      await kill(auth);
    },
    async restartAuth() {
      auth = deployment.startAuth();
      await auth.waitReady();
    },
    async crashTickets(position, timeoutMs) {
      const victim = tickets[position];
      if (victim === undefined) throw new RangeError(`no tickets instance at position ${position}`);
      retired.push(victim);
      await kill(victim);
      tickets[position] = await deployment.startTickets(position + 1);
      await tickets[position].waitReady(timeoutMs);
    },
    output: () => [...new Set([...retired, auth, ...tickets])].map((member) => `--- ${member.name}\n${summarizeOutput(member.output())}`).join('\n'),
    stop,
  };
}
