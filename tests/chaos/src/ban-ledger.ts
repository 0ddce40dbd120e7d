import { request } from '@veto/e2e';
import { within } from './within';

/** A ban the admin API confirmed, and what each tickets instance was seen doing with the user's token. */
export interface BanRecord {
  readonly userId: string;
  /** The `user.banned` event the admin API answered with. */
  readonly eventId: string | undefined;
  readonly token: string;
  /** `performance.now()` when the ban's 200 arrived. */
  readonly bannedAt: number;
  /** Per instance name: when it was first seen answering 401 `TOKEN_REVOKED` (the answer's arrival). */
  readonly enforcedAt: Map<string, number>;
  /** Per instance name: when the last request it accepted (200) left; proof it did not enforce the ban then. */
  readonly lastAcceptedAt: Map<string, number>;
  /** Instances that still did not refuse the token at the final check. */
  readonly unenforcedAtEnd: Set<string>;
}

type Instance = { readonly name: string; readonly url: string };

/** What a token gets from one instance: `revoked`, `accepted` (200) or anything else (`other`). */
export type TokenAnswer = 'revoked' | 'accepted' | 'other';

/**
 * Presents `token` to `GET /api/tickets` of one instance.
 *
 * @example
 * if ((await presentToken(instance, token)).answer === 'revoked') ...
 */
export async function presentToken(instance: Instance, token: string): Promise<{ answer: TokenAnswer; sentAt: number; receivedAt: number }> {
  const sentAt = performance.now();
  const answer = await request('GET', `${instance.url}/api/tickets`, { token }).then(
    ({ status, body }): TokenAnswer => (status === 401 && body.code === 'TOKEN_REVOKED' ? 'revoked' : status === 200 ? 'accepted' : 'other'),
    (): TokenAnswer => 'other', // refused connection: the instance is down
  );
  return { answer, sentAt, receivedAt: performance.now() };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The bans of one scenario, each probed on every instance until it is enforced there or the deadline passes. */
export interface BanLedger {
  readonly bans: readonly BanRecord[];
  /** Records a confirmed ban and starts probing it on every instance. */
  record(userId: string, token: string, bannedAt: number, eventId?: string): BanRecord;
  /** Resolves when every ban recorded so far is enforced on every instance, or after `timeoutMs` (the probes go on). */
  enforcedEverywhere(timeoutMs: number): Promise<void>;
  /** Probing stops at `performance.now()` = `at`; before that, it goes on however long faults last. */
  setDeadline(at: number): void;
  /** After the deadline: presents every token once more to every instance and notes where it is not refused. */
  finalCheck(): Promise<void>;
}

/**
 * Starts an empty ledger probing the instances `instances()` returns (read at each probe,
 * so restarted processes are followed).
 *
 * @example
 * const ledger = createBanLedger(() => cluster.tickets);
 * ledger.record(userId, token, performance.now(), eventId);
 */
export function createBanLedger(instances: () => readonly Instance[], pollMs = 100): BanLedger {
  const bans: BanRecord[] = [];
  const probes: Promise<void>[] = [];
  let deadline = Number.POSITIVE_INFINITY;

  const probe = async (ban: BanRecord, position: number) => {
    while (performance.now() < deadline) {
      const instance = instances()[position];
      if (instance === undefined) return;
      const { answer, sentAt, receivedAt } = await presentToken(instance, ban.token);
      if (answer === 'revoked') {
        ban.enforcedAt.set(instance.name, receivedAt);
        return;
      }
      if (answer === 'accepted') ban.lastAcceptedAt.set(instance.name, sentAt);
      await sleep(pollMs);
    }
  };

  return {
    bans,
    record(userId, token, bannedAt, eventId) {
      const ban: BanRecord = { userId, eventId, token, bannedAt, enforcedAt: new Map(), lastAcceptedAt: new Map(), unenforcedAtEnd: new Set() };
      bans.push(ban);
      probes.push(...instances().map((_, position) => probe(ban, position)));
      return ban;
    },
    async enforcedEverywhere(timeoutMs) {
      await within(Promise.all(probes), timeoutMs);
    },
    setDeadline(at) {
      deadline = at;
    },
    async finalCheck() {
      await Promise.all(probes);
      for (const ban of bans) {
        const answers = await Promise.all(instances().map(async (instance) => [instance.name, (await presentToken(instance, ban.token)).answer] as const));
        for (const [name, answer] of answers) if (answer !== 'revoked') ban.unenforcedAtEnd.add(name);
      }
    },
  };
}
