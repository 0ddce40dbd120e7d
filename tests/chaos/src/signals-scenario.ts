import { request, type ServiceProcess } from '@veto/e2e';
import { createSignalsLauncher, type SignalsLauncher } from './signals-process';
import { summarizeOutput } from './process-output';
import type { BanRecord } from './ban-ledger';
import { runScenario, type ScenarioContext, type ScenarioSettings } from './scenario-run';
import type { ScenarioFigures, SetDeliveryFigures } from './scenario-figures';
import { startSetReceiver, type ReceivedSet, type SetReceiver } from './set-receiver';

/** The RISC event type a `user.banned` event becomes. */
export const ACCOUNT_DISABLED = 'https://schemas.openid.net/secevent/risc/event-type/account-disabled';

// Short backoff and frequent scans so an outage of a few seconds costs seconds, not minutes;
// attempts enough that no SET goes dead during the run.
const PUSH_ENV = {
  SIGNALS_PUSH_BACKOFF_BASE_MS: '200',
  SIGNALS_PUSH_BACKOFF_MAX_MS: '2000',
  SIGNALS_PUSH_MAX_ATTEMPTS: '1000',
  SIGNALS_PUSH_SCAN_INTERVAL_MS: '500',
  SIGNALS_PUSH_TIMEOUT_MS: '5000',
} as const;
/** The machine is shared: a start from the sources may take long; this bounds a hang, it is no speed check. */
const READY_MS = 180_000;
const RECEIVER_OUTAGE_MS = 4_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function isAlive(member: ServiceProcess): boolean {
  if (member.pid === undefined) return false;
  try {
    process.kill(member.pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Per confirmed ban, the account-disabled SETs the receiver got for its user: lost, duplicates,
 * distinct jtis and the longest ban → first SET time.
 *
 * @example
 * const figures = setDeliveryFigures(context.ledger.bans, receiver.received, receiver.refused.length);
 */
export function setDeliveryFigures(bans: readonly Pick<BanRecord, 'userId' | 'bannedAt'>[], received: readonly ReceivedSet[], refused: number): SetDeliveryFigures {
  const bySubject = new Map<string, ReceivedSet[]>();
  for (const set of received) {
    if (set.eventType !== ACCOUNT_DISABLED || set.sub === undefined) continue;
    bySubject.set(set.sub, [...(bySubject.get(set.sub) ?? []), set]);
  }
  let lost = 0;
  let duplicates = 0;
  let bansWithSeveralJtis = 0;
  let longestBanToSetMs: number | undefined;
  let setsReceived = 0;
  for (const ban of bans) {
    const sets = bySubject.get(ban.userId) ?? [];
    if (sets.length === 0) {
      lost += 1;
      continue;
    }
    setsReceived += sets.length;
    const jtis = new Set(sets.map(({ jti }) => jti));
    duplicates += sets.length - jtis.size;
    if (jtis.size > 1) bansWithSeveralJtis += 1;
    longestBanToSetMs = Math.max(longestBanToSetMs ?? Number.NEGATIVE_INFINITY, Math.min(...sets.map(({ receivedAt }) => receivedAt)) - ban.bannedAt);
  }
  return { bans: bans.length, received: setsReceived, lost, duplicates, bansWithSeveralJtis, longestBanToSetMs, refused };
}

/** The figures as the notes cell shows them. */
export function setDeliveryNote(sets: SetDeliveryFigures): string {
  const longest = sets.longestBanToSetMs === undefined ? '-' : sets.longestBanToSetMs.toFixed(0);
  return (
    `SETs: ${sets.bans} bans, ${sets.received} SETs received, ${sets.lost} bans without a SET, ${sets.duplicates} duplicates (same jti), ` +
    `${sets.bansWithSeveralJtis} bans with more than one jti, longest ban → SET ${longest} ms` +
    (sets.refused > 0 ? `, ${sets.refused} SETs refused by the receiver` : '')
  );
}

// Registers a receiver (admin API) and creates its push stream of account-disabled SETs.
async function createPushStream(context: ScenarioContext, signalsUrl: string, receiver: SetReceiver): Promise<void> {
  const adminToken = await context.cluster.deployment.adminToken();
  const deadline = performance.now() + READY_MS;
  let registered = await request('POST', `${signalsUrl}/api/admin/receivers`, { token: adminToken, body: { name: 'chaos receiver' } }).catch(() => undefined);
  // Admin tokens are checked against the revocation feed, which may not be current yet (503).
  while (registered?.status !== 201 && performance.now() < deadline) {
    await sleep(500);
    registered = await request('POST', `${signalsUrl}/api/admin/receivers`, { token: adminToken, body: { name: 'chaos receiver' } }).catch(() => undefined);
  }
  if (registered?.status !== 201) throw new Error(`registering a receiver answered ${registered?.status}: ${JSON.stringify(registered?.body)}`);
  const stream = await request('POST', `${signalsUrl}/ssf/stream`, {
    token: registered.body.credential as string,
    body: { delivery: { method: 'urn:ietf:rfc:8935', endpoint_url: receiver.endpointUrl }, events_requested: [ACCOUNT_DISABLED], description: 'chaos' },
  });
  if (stream.status !== 201) throw new Error(`creating the push stream answered ${stream.status}: ${JSON.stringify(stream.body)}`);
  receiver.expectAudience(stream.body.aud as string);
}

// Resolves true once every confirmed ban has a SET at the receiver, false at the deadline.
async function everyBanHasASet(context: ScenarioContext, receiver: SetReceiver, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (setDeliveryFigures(context.ledger.bans, receiver.received, 0).lost === 0) return true;
    if (performance.now() >= deadline) return false;
    await sleep(200);
  }
}

/**
 * Scenario 6: the signals service and an RFC 8935 receiver beside the cluster; a ban loop while
 * signals is killed (-9) and restarted, NATS is killed and restarted with its store, and the
 * receiver is down for a few seconds; then every confirmed ban must have a SET at the receiver,
 * one jti per ban however often it came.
 *
 * @returns the usual figures (bans enforced by tickets, readiness) plus `sets`, also written into the notes
 * @example
 * const figures = await runSignalsScenario('6. signals', CI_RUN);
 */
export async function runSignalsScenario(name: string, settings: ScenarioSettings): Promise<ScenarioFigures> {
  let sets: SetDeliveryFigures | undefined;
  let signalsOutput = '';
  const figures = await runScenario(name, settings, async (context) => {
    const { cluster } = context;
    let launcher: SignalsLauncher | undefined;
    let receiver: SetReceiver | undefined;
    const processes: ServiceProcess[] = [];
    let supervising = true;
    let supervisor: Promise<void> = Promise.resolve();
    const signalsReady = async (what: string) => {
      try {
        await processes.at(-1)!.waitReady(READY_MS);
      } catch {
        context.note(`signals was not ready within ${READY_MS} ms ${what}`);
      }
    };
    try {
      launcher = await createSignalsLauncher({ natsUrl: cluster.nats.url, authUrl: cluster.deployment.authUrl });
      const signals = launcher;
      processes.push(signals.start(PUSH_ENV));
      await processes[0]!.waitReady(READY_MS);
      // As Kubernetes would: a signals process that ends by itself is started again (and noted);
      // what is measured is whether a SET is lost, not whether one process survives.
      let selfExits = 0;
      const supervise = async () => {
        while (supervising) {
          await sleep(500);
          const current = processes.at(-1)!;
          if (!supervising || isAlive(current)) continue;
          selfExits += 1;
          const firstFailure = current
            .output()
            .split('\n')
            .find((line) => line.includes('failed'));
          context.note(`signals ended by itself (${summarizeOutput(firstFailure ?? 'no output', 1).slice(0, 200)}), started again`);
          processes.push(signals.start(PUSH_ENV));
          await signalsReady('after it ended by itself');
        }
      };
      supervisor = supervise();
      receiver = await startSetReceiver({ jwksUrl: `${launcher.url}/jwks.json`, issuer: launcher.url });
      await createPushStream(context, launcher.url, receiver);

      const phase = settings.bansPerPhase;
      const loop = context.startBanLoop();
      try {
        await loop.confirmed(phase);
        supervising = false;
        await supervisor;
        const killedAt = performance.now();
        await processes.at(-1)!.kill();
        processes.push(signals.start(PUSH_ENV));
        await signalsReady('after its kill -9');
        context.note(`signals ready again ${(performance.now() - killedAt).toFixed(0)} ms after its kill -9`);
        supervising = true;
        supervisor = supervise();
        await loop.confirmed(2 * phase);
        await cluster.crashNats();
        await signalsReady('after the NATS restart');
        await loop.confirmed(3 * phase);
        await receiver.down();
        await sleep(RECEIVER_OUTAGE_MS);
        await receiver.up();
        await loop.confirmed(4 * phase);
      } finally {
        await loop.stop();
      }
      // Generous: a signals process may have to start again from its sources on a busy machine.
      const waitMs = Math.max(120_000, 4 * settings.settleMs);
      if (!(await everyBanHasASet(context, receiver, waitMs))) {
        const missing = setDeliveryFigures(context.ledger.bans, receiver.received, 0).lost;
        context.note(`SET LOST: ${missing} of ${context.ledger.bans.length} confirmed bans had no SET at the receiver ${waitMs} ms after the faults`);
      }
      if (selfExits > 0) context.note(`signals ended by itself ${selfExits}× in all`);
      sets = setDeliveryFigures(context.ledger.bans, receiver.received, receiver.refused.length);
      context.note(setDeliveryNote(sets));
      if (receiver.refused.length > 0) context.note(`the receiver refused: ${[...new Set(receiver.refused)].slice(0, 3).join(', ')}`);
    } finally {
      supervising = false;
      await supervisor;
      await Promise.all(processes.map((member) => member.stop()));
      signalsOutput = processes.map((member, index) => `--- signals (start ${index + 1})\n${summarizeOutput(member.output())}`).join('\n');
      await receiver?.close();
      launcher?.cleanup();
    }
  });
  return { ...figures, sets, processOutput: `${figures.processOutput}\n${signalsOutput}` };
}
