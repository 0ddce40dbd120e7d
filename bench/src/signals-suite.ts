import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { request } from '@veto/e2e';
import { committedEvents } from './applied-revocations';
import { startAuthStack } from './auth-stack';
import { RESULTS_DIR } from './bench-report';
import { startBenchChild, type BenchChild } from './bench-child';
import { logLines } from './log-lines';
import { formatNumber, markdownTable } from './markdown-table';
import { ACCOUNT_DISABLED, rsaKeysOf, verifySecurityEvent, type SecurityEventClaims } from './security-event-token';
import type { SetReceiverMessage } from './set-receiver';
import { startSignalsService } from './signals-service';
import { summarize, type Summary } from './summarize';
import { renderCdfChart } from './svg-chart';

const PUSH = 'urn:ietf:rfc:8935';
const POLL = 'urn:ietf:rfc:8936';
/** A SET that has not arrived by then means the ban never reached the receiver. */
const ARRIVAL_TIMEOUT_MS = 10_000;
/** How long the bench lets a long poll reach the service and start waiting before it bans. */
const POLL_SETTLE_MS = 25;
/** Bans before the measured ones: first runs of the code paths, the push connection. */
const WARM_UP_BANS = 3;
const SIGN_UP_CONCURRENCY = 4;

/** Options of {@link runSignalsSuite}. */
export interface SignalsOptions {
  readonly pushBans: number;
  readonly pollBans: number;
  readonly log: (line: string) => void;
}

/** The tickets path of suite 2, quoted from its latest results file (not run again here). */
export interface TicketsReference {
  readonly finishedAt: string;
  readonly bans: number;
  readonly instances: number;
  readonly applyMs: Summary;
  readonly probeMs: Summary;
}

/** What suite 6 found; times in ms. */
export interface SignalsResults {
  readonly pushBans: number;
  readonly pollBans: number;
  /** Push: the ban's HTTP response read by the bench → the SET's body read by the receiver process. */
  readonly pushResponseToReceivedMs: Summary;
  /** Push: the auth service's record of the ban's commit → the SET's body read by the receiver process. */
  readonly pushCommitToReceivedMs: Summary;
  /** Push stages: the commit → the signals service's `SETs stored` line (its pino `time`, whole ms). */
  readonly commitToStoredMs: Summary;
  /** … and from that line to the receiver reading the SET. */
  readonly storedToReceivedMs: Summary;
  /** The admin ban request itself, request sent → response read (push phase). */
  readonly banRequestMs: Summary;
  /** Poll: the ban's HTTP response → the waiting long poll's answer read (both in the bench). */
  readonly pollResponseToAnswerMs: Summary;
  /** Poll: the ban's commit → the long poll's answer read. */
  readonly pollCommitToAnswerMs: Summary;
  /** SETs whose signature and claims were verified against the transmitter's JWKS. */
  readonly verifiedSets: number;
  /** `os.loadavg()` (1, 5, 15 min) when the bans started and when they ended. */
  readonly loadAverage: { readonly start: readonly number[]; readonly end: readonly number[] };
  readonly tickets: TicketsReference | undefined;
  readonly samples: {
    readonly pushResponseToReceivedMs: readonly number[];
    readonly pushCommitToReceivedMs: readonly number[];
    readonly pollResponseToAnswerMs: readonly number[];
  };
}

/** Epoch ms with a sub-millisecond fraction, the clock every process of the suite records with. */
function now(): number {
  return performance.timeOrigin + performance.now();
}

async function mapWithConcurrency<T, R>(items: readonly T[], concurrency: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await run(items[index] as T);
      }
    }),
  );
  return results;
}

/**
 * The tickets path of suite 2 from `bench/results/propagation.json`, for comparison beside this
 * suite's figures; undefined when there is no such file or it lacks the figures.
 *
 * @param json - the parsed results file
 * @example
 * const reference = ticketsReference(JSON.parse(readFileSync(file, 'utf8')));
 */
export function ticketsReference(json: unknown): TicketsReference | undefined {
  const value = json as Partial<TicketsReference> | null;
  if (value === null || typeof value !== 'object') return undefined;
  const isSummary = (summary: unknown): summary is Summary => typeof (summary as Summary | undefined)?.p50 === 'number' && typeof (summary as Summary).p99 === 'number';
  if (typeof value.finishedAt !== 'string' || typeof value.bans !== 'number' || typeof value.instances !== 'number' || !isSummary(value.applyMs) || !isSummary(value.probeMs)) {
    return undefined;
  }
  return { finishedAt: value.finishedAt, bans: value.bans, instances: value.instances, applyMs: value.applyMs, probeMs: value.probeMs };
}

function latestTicketsReference(): TicketsReference | undefined {
  const file = join(RESULTS_DIR, 'propagation.json');
  return existsSync(file) ? ticketsReference(JSON.parse(readFileSync(file, 'utf8'))) : undefined;
}

/**
 * Suite 6: nats-server, the auth service (`LOG_LEVEL=debug`, for its commit times) and the signals
 * service (`LOG_LEVEL=debug`, for its `SETs stored` lines) as processes, and a push receiver in a
 * process of its own (`bench/src/set-receiver.ts`). The bench registers a receiver through the
 * admin API, creates a push stream for `account-disabled` to the receiver process, then bans fresh
 * users one after another and waits, for each, until the receiver has the SET whose `txn` is the
 * ban's event id. Then the push stream is deleted, a poll stream created, and for each further
 * ban a long poll is waiting before the ban is sent. Every SET is verified against the signals
 * service's JWKS.
 *
 * @param options - bans per variant, logger
 * @throws Error when a SET does not arrive, or does not verify
 * @example
 * const results = await runSignalsSuite({ pushBans: 300, pollBans: 100, log });
 */
export async function runSignalsSuite(options: SignalsOptions): Promise<SignalsResults> {
  const stack = await startAuthStack({ authLogLevel: 'debug' });
  let signals: Awaited<ReturnType<typeof startSignalsService>> | undefined;
  let receiver: BenchChild<SetReceiverMessage> | undefined;
  try {
    signals = await startSignalsService(stack, { logLevel: 'debug' });
    const signalsUrl = signals.process.url;
    receiver = await startBenchChild<SetReceiverMessage>('set-receiver.ts', {});
    if (!('port' in receiver.ready)) throw new Error('the receiver process did not report its port');
    const adminToken = await stack.adminToken();
    const registered = await request('POST', `${signalsUrl}/api/admin/receivers`, { token: adminToken, body: { name: 'bench receiver' } });
    if (registered.status !== 201) throw new Error(`registering a receiver answered ${registered.status}: ${JSON.stringify(registered.body)}`);
    const receiverId = registered.body.id as string;
    const credential = registered.body.credential as string;
    const jwks = await request('GET', `${signalsUrl}/jwks.json`);
    const keys = rsaKeysOf(jwks.body);
    const expected = { issuer: signals.issuer, audience: receiverId };
    let verifiedSets = 0;
    const verified = (token: string, userId: string, eventId: string): SecurityEventClaims => {
      const claims = verifySecurityEvent(token, keys, expected);
      if (!(ACCOUNT_DISABLED in claims.events)) throw new Error(`the SET of ban ${eventId} carries ${Object.keys(claims.events).join(', ')}`);
      if (claims.txn !== eventId || claims.sub_id.sub !== userId) throw new Error(`the SET of ban ${eventId} names ${claims.txn} and user ${String(claims.sub_id.sub)}`);
      verifiedSets += 1;
      return claims;
    };

    // Arrivals at the receiver process, by the Veto event id of the SET (its txn, read without
    // verifying here: the ban loop verifies it).
    const arrivals = new Map<string, { receivedAt: number; token: string }>();
    const waiters = new Map<string, () => void>();
    const otherSets: string[] = [];
    receiver.process.on('message', (message: SetReceiverMessage) => {
      if (!('token' in message)) return;
      if (message.contentType !== 'application/secevent+jwt') otherSets.push(`content type ${message.contentType}`);
      let txn: unknown;
      try {
        txn = (JSON.parse(Buffer.from(message.token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { txn?: unknown }).txn;
      } catch {
        otherSets.push(message.token.slice(0, 100));
        return;
      }
      if (typeof txn !== 'string') return;
      arrivals.set(txn, { receivedAt: message.receivedAt, token: message.token });
      waiters.get(txn)?.();
    });
    const arrivalOf = async (eventId: string) => {
      if (!arrivals.has(eventId)) {
        let timer: NodeJS.Timeout | undefined;
        await new Promise<void>((resolve, reject) => {
          waiters.set(eventId, resolve);
          timer = setTimeout(
            () => reject(new Error(`no SET of ban event ${eventId} reached the receiver within ${ARRIVAL_TIMEOUT_MS} ms\n${signals?.process.output().slice(-3000) ?? ''}`)),
            ARRIVAL_TIMEOUT_MS,
          );
        }).finally(() => {
          clearTimeout(timer);
          waiters.delete(eventId);
        });
      }
      return arrivals.get(eventId) as { receivedAt: number; token: string };
    };

    const run = randomBytes(4).toString('hex');
    const total = WARM_UP_BANS + options.pushBans + options.pollBans;
    const users = await mapWithConcurrency(
      Array.from({ length: total }, (_, i) => i),
      SIGN_UP_CONCURRENCY,
      (i) => stack.signUp(`set-${run}-${i}@example.com`),
    );
    const ban = async (userId: string) => {
      const sentAt = now();
      const { status, body } = await request('POST', `${stack.auth.url}/api/admin/users/${userId}/ban`, { token: adminToken, body: { reason: 'bench' } });
      const answeredAt = now();
      if (status !== 200 || typeof body.eventId !== 'string') throw new Error(`ban answered ${status}: ${JSON.stringify(body)}`);
      return { eventId: body.eventId, sentAt, answeredAt };
    };

    // Push.
    const pushStream = await request('POST', `${signalsUrl}/ssf/stream`, {
      token: credential,
      body: { delivery: { method: PUSH, endpoint_url: `http://127.0.0.1:${receiver.ready.port}/events` }, events_requested: [ACCOUNT_DISABLED] },
    });
    if (pushStream.status !== 201) throw new Error(`creating the push stream answered ${pushStream.status}: ${JSON.stringify(pushStream.body)}`);
    options.log(`signals: ${users.length} users signed up, receiver ${receiverId} with push stream ${String(pushStream.body.stream_id)}`);
    const loadStart = loadavg();
    const pushed: { eventId: string; sentAt: number; answeredAt: number; receivedAt: number }[] = [];
    for (const [index, user] of users.slice(0, WARM_UP_BANS + options.pushBans).entries()) {
      const banned = await ban(user.userId);
      const arrival = await arrivalOf(banned.eventId);
      verified(arrival.token, user.userId, banned.eventId);
      if (index >= WARM_UP_BANS) pushed.push({ ...banned, receivedAt: arrival.receivedAt });
      if ((index + 1) % 100 === 0) options.log(`signals: ${index + 1} pushed`);
    }
    const deleted = await request('DELETE', `${signalsUrl}/ssf/stream?stream_id=${String(pushStream.body.stream_id)}`, { token: credential });
    if (deleted.status !== 204) throw new Error(`deleting the push stream answered ${deleted.status}: ${JSON.stringify(deleted.body)}`);

    // Poll: a long poll waits while the ban happens.
    const pollStream = await request('POST', `${signalsUrl}/ssf/stream`, { token: credential, body: { delivery: { method: POLL }, events_requested: [ACCOUNT_DISABLED] } });
    if (pollStream.status !== 201) throw new Error(`creating the poll stream answered ${pollStream.status}: ${JSON.stringify(pollStream.body)}`);
    const pollUrl = `${signalsUrl}/ssf/poll/${String(pollStream.body.stream_id)}`;
    const polled: { eventId: string; answeredAt: number; pollAnsweredAt: number }[] = [];
    let ack: string[] = [];
    for (const user of users.slice(WARM_UP_BANS + options.pushBans)) {
      const poll = () =>
        request('POST', pollUrl, { token: credential, body: { ack, maxEvents: 10, returnImmediately: false } }).then((answer) => {
          if (answer.status !== 200) throw new Error(`a poll answered ${answer.status}: ${JSON.stringify(answer.body)}`);
          const sets = (answer.body.sets ?? {}) as Record<string, string>;
          ack = Object.keys(sets);
          return { at: now(), sets: Object.values(sets) };
        });
      let waiting = poll();
      await new Promise((resolve) => setTimeout(resolve, POLL_SETTLE_MS));
      const banned = await ban(user.userId);
      for (;;) {
        const answer = await waiting;
        const token = answer.sets.find((set) => verifySecurityEvent(set, keys, expected).txn === banned.eventId);
        if (token !== undefined) {
          verified(token, user.userId, banned.eventId);
          polled.push({ eventId: banned.eventId, answeredAt: banned.answeredAt, pollAnsweredAt: answer.at });
          break;
        }
        if (answer.at - banned.answeredAt > ARRIVAL_TIMEOUT_MS) throw new Error(`no poll answered the SET of ban ${banned.eventId} within ${ARRIVAL_TIMEOUT_MS} ms`);
        waiting = poll();
      }
    }
    const loadEnd = loadavg();
    if (otherSets.length > 0) throw new Error(`the receiver got ${otherSets.length} requests that are not SETs, e.g. ${otherSets[0]}`);

    // A log line can trail the SET it explains (the pipe from the child is read asynchronously).
    const eventIds = [...pushed, ...polled].map(({ eventId }) => eventId);
    const deadline = Date.now() + ARRIVAL_TIMEOUT_MS;
    const storedLines = () => new Map(logLines(signals?.process.output() ?? '', 'SETs stored').map((line) => [line.eventId, line.time] as const));
    let committed = committedEvents(stack.auth.output());
    let stored = storedLines();
    while (Date.now() < deadline && eventIds.some((eventId) => !committed.has(eventId) || !stored.has(eventId))) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      committed = committedEvents(stack.auth.output());
      stored = storedLines();
    }
    const committedAt = (eventId: string): number => {
      const at = committed.get(eventId);
      if (at === undefined) throw new Error(`the auth service logged no commit of ban event ${eventId}`);
      return at;
    };
    const storedAt = (eventId: string): number => {
      const at = stored.get(eventId);
      if (typeof at !== 'number') throw new Error(`the signals service logged no SETs stored for ban event ${eventId}`);
      return at;
    };
    const pushResponseToReceivedMs = pushed.map((ban) => ban.receivedAt - ban.answeredAt);
    const pushCommitToReceivedMs = pushed.map((ban) => ban.receivedAt - committedAt(ban.eventId));
    const pollResponseToAnswerMs = polled.map((ban) => ban.pollAnsweredAt - ban.answeredAt);
    const round = (values: readonly number[]) => values.map((value) => Math.round(value * 1000) / 1000);
    return {
      pushBans: pushed.length,
      pollBans: polled.length,
      pushResponseToReceivedMs: summarize(pushResponseToReceivedMs),
      pushCommitToReceivedMs: summarize(pushCommitToReceivedMs),
      commitToStoredMs: summarize(pushed.map((ban) => storedAt(ban.eventId) - committedAt(ban.eventId))),
      storedToReceivedMs: summarize(pushed.map((ban) => ban.receivedAt - storedAt(ban.eventId))),
      banRequestMs: summarize(pushed.map((ban) => ban.answeredAt - ban.sentAt)),
      pollResponseToAnswerMs: summarize(pollResponseToAnswerMs),
      pollCommitToAnswerMs: summarize(polled.map((ban) => ban.pollAnsweredAt - committedAt(ban.eventId))),
      verifiedSets,
      loadAverage: { start: loadStart.map((value) => Math.round(value * 100) / 100), end: loadEnd.map((value) => Math.round(value * 100) / 100) },
      tickets: latestTicketsReference(),
      samples: {
        pushResponseToReceivedMs: round(pushResponseToReceivedMs),
        pushCommitToReceivedMs: round(pushCommitToReceivedMs),
        pollResponseToAnswerMs: round(pollResponseToAnswerMs),
      },
    };
  } finally {
    await receiver?.stop();
    await signals?.process.stop();
    await stack.stop();
  }
}

function ms(value: number): string {
  return formatNumber(value, 2);
}

function row(name: string, summary: Summary): string[] {
  return [name, ms(summary.p50), ms(summary.p95), ms(summary.p99), ms(summary.max)];
}

/**
 * The signals section of docs/benchmarks.md and its chart.
 *
 * @example
 * const { markdown, charts } = signalsReport(results);
 */
export function signalsReport(results: SignalsResults): { markdown: string; charts: Record<string, string> } {
  const headers = ['p50 (ms)', 'p95 (ms)', 'p99 (ms)', 'max (ms)'];
  const align: ('l' | 'r')[] = ['l', 'r', 'r', 'r', 'r'];
  const { tickets } = results;
  const load = (values: readonly number[]) => values.map((value) => formatNumber(value, 2)).join(' / ');
  const markdown = [
    markdownTable(
      ['Ban → SET delivered', ...headers],
      [
        row(`push (RFC 8935): ban response read → SET received (${results.pushBans} bans)`, results.pushResponseToReceivedMs),
        row('push: ban commit → SET received', results.pushCommitToReceivedMs),
        row(`poll (RFC 8936): ban response read → the waiting long poll answered (${results.pollBans} bans)`, results.pollResponseToAnswerMs),
        row('poll: ban commit → the waiting long poll answered', results.pollCommitToAnswerMs),
      ],
      align,
    ),
    '',
    `Every SET measured (${formatNumber(results.verifiedSets)}, warm-up included) was verified as a receiver would: RS256 signature against the service's \`/jwks.json\`, \`typ\` \`secevent+jwt\`, \`iss\`, \`aud\` (the receiver's id), one \`account-disabled\` event, \`txn\` the ban's event id and \`sub_id\` the banned user. Load average (1 / 5 / 15 min) ${load(results.loadAverage.start)} when the bans started, ${load(results.loadAverage.end)} when they ended.`,
    '',
    'Where the push time goes:',
    '',
    markdownTable(
      ['Stage', ...headers],
      [
        row(
          "auth → signals: ban commit → the signals service's `SETs stored` line (relay, JetStream, the `signals` consumer, the outbox transaction; that line's time is whole ms)",
          results.commitToStoredMs,
        ),
        row('signals → receiver: `SETs stored` → SET received (push worker wake-up, outbox read, HTTP POST)', results.storedToReceivedMs),
        row('the admin ban request (sent → response read)', results.banRequestMs),
      ],
      align,
    ),
    '',
    tickets === undefined
      ? 'The tickets path (suite 2) has no results file to compare with.'
      : [
          `The tickets path for comparison, quoted from suite 2's latest results (${tickets.finishedAt.slice(0, 16).replace('T', ' ')} UTC, ${tickets.bans} bans × ${tickets.instances} instances; not run again here, so a different moment of a shared machine):`,
          '',
          markdownTable(
            ['Ban → enforced by tickets (suite 2)', ...headers],
            [row('ban commit → instance applied', tickets.applyMs), row('ban response read → first 401 seen by a polling client', tickets.probeMs)],
            align,
          ),
        ].join('\n'),
    '',
    '![Ban to SET delivered, cumulative distribution](benchmarks/signals.svg)',
  ].join('\n');
  const chart = renderCdfChart({
    title: `Ban → SET delivered (${results.pushBans} pushed, ${results.pollBans} polled)`,
    xLabel: 'milliseconds',
    xMax: Math.max(results.pushCommitToReceivedMs.p99, results.pushResponseToReceivedMs.p99, results.pollResponseToAnswerMs.p99) * 1.5,
    series: [
      { name: 'push: ban commit → SET received', values: results.samples.pushCommitToReceivedMs },
      { name: 'push: ban response → SET received', values: results.samples.pushResponseToReceivedMs },
      { name: 'poll: ban response → long poll answered', values: results.samples.pollResponseToAnswerMs },
    ],
  });
  return { markdown, charts: { 'signals.svg': chart } };
}
