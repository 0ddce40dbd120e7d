import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { freePort, request, startServiceProcess, type ServiceProcess } from '@veto/e2e';
import { allEventsSubject, type NatsConnection } from '@veto/events';
import { connectTo } from '@veto/events/testing';
import { appliedRevocations, committedEvents, sentEvents } from './applied-revocations';
import { startAuthStack } from './auth-stack';
import { loopProbeRecords, pausedWithin, type LoopDelay, type Pause } from './loop-probe-records';
import { formatNumber, formatPercent, markdownTable, verdict } from './markdown-table';
import { summarize, type Summary } from './summarize';
import { renderCdfChart } from './svg-chart';

/** Target of issue 6 for suite 2: p99 from commit to rejection, on loopback. */
export const PROPAGATION_TARGET_P99_MS = 5;
/** Pure Option 2: a banned user's token lives until it expires, 15 minutes at worst. */
const TTL_WORST_CASE_MS = 900_000;
/** A probe that has not seen the 401 by then means the ban never arrived. */
const PROBE_TIMEOUT_MS = 10_000;
const SIGN_UP_CONCURRENCY = 4;

/** Options of {@link runPropagationSuite}. */
export interface PropagationOptions {
  readonly bans: number;
  readonly instances: number;
  readonly log: (line: string) => void;
}

/** What suite 2 found; times in ms. */
export interface PropagationResults {
  readonly bans: number;
  readonly instances: number;
  /** Per ban and instance: the instance's own record of its apply time − the auth service's record of the ban's commit. */
  readonly applyMs: Summary;
  /** Per ban and instance: first 401 `TOKEN_REVOKED` seen by a polling client − the ban's HTTP response. */
  readonly probeMs: Summary;
  /** Before the commit: the ban event's `occurredAt` (stamped inside the transaction) → the commit. */
  readonly transactionMs: Summary;
  /** Where the apply time goes: the commit → a plain NATS subscriber in the bench saw the event on the bus. */
  readonly toBusMs: Summary;
  /** … and from the bus to each instance's apply. */
  readonly busToApplyMs: Summary;
  /** The admin ban request itself, request sent → response read. */
  readonly banRequestMs: Summary;
  /** The commit → the relay handing the event to the NATS client (the relay's wake-up). */
  readonly commitToSentMs: Summary;
  /** … → a plain NATS subscriber in the bench saw it (client, nats-server, the bench's own loop). */
  readonly sentToBusMs: Summary;
  /** The samples above the target, and what each met: a pause of the auth process between the commit and the send, of the instance between the send and its apply. */
  readonly tail: TailBreakdown;
  /** Per process: its event loop's delay during the bans (median of per-second p99, worst per-second max), GC pauses and stalls. */
  readonly loops: readonly LoopSummary[];
  readonly perInstance: readonly { name: string; applyMs: Summary; probeMs: Summary }[];
  readonly samples: { readonly applyMs: readonly number[]; readonly probeMs: readonly number[] };
}

/** What the samples above the target met, from the loop probe's records of each process. */
export interface TailBreakdown {
  /** Samples (ban × instance) whose apply time is above the target. */
  readonly slow: number;
  readonly total: number;
  /** Of the slow ones: the auth process was paused (stall or GC) ≥ 1 ms between the commit and handing the event to the NATS client. */
  readonly authPaused: number;
  /** … the instance was paused ≥ 1 ms between that hand-over and its apply. */
  readonly instancePaused: number;
  /** … a GC pause ≥ 1 ms in either window. */
  readonly gcPaused: number;
  /** … neither process was paused ≥ 1 ms in its window (the time went elsewhere: nats-server, the bench, the scheduler between them). */
  readonly unexplained: number;
  /** Medians of the slow samples' stages, ms. */
  readonly slowCommitToSentMs: number;
  readonly slowSentToBusMs: number;
  readonly slowBusToApplyMs: number;
}

/** One process's event loop during the bans. */
export interface LoopSummary {
  readonly name: string;
  /** Median over the seconds of the ban phase of that second's p99 event-loop delay, ms. */
  readonly delayP99Ms: number;
  /** The worst per-second maximum, ms. */
  readonly delayMaxMs: number;
  /** GC pauses and their total, ms. */
  readonly gcPauses: number;
  readonly gcMs: number;
  /** Stalls (a 2 ms timer more than 1 ms late) and their total, ms. */
  readonly stalls: number;
  readonly stallMs: number;
}

/** A pause shorter than this is timer granularity, not a cause. */
const PAUSE_FLOOR_MS = 1;

function loopSummary(name: string, pauses: readonly Pause[], delays: readonly LoopDelay[], from: number, to: number): LoopSummary {
  const during = delays.filter((delay) => delay.at >= from && delay.at <= to + 1000);
  const inside = (kind: Pause['kind']) => pauses.filter((pause) => pause.kind === kind && pause.from >= from && pause.to <= to);
  const total = (list: readonly Pause[]) => list.reduce((sum, pause) => sum + (pause.to - pause.from), 0);
  const sortedP99 = during.map((delay) => delay.p99).sort((a, b) => a - b);
  return {
    name,
    delayP99Ms: sortedP99.length === 0 ? Number.NaN : (sortedP99[Math.floor((sortedP99.length - 1) / 2)] as number),
    delayMaxMs: during.length === 0 ? Number.NaN : Math.max(...during.map((delay) => delay.max)),
    gcPauses: inside('gc').length,
    gcMs: total(inside('gc')),
    stalls: inside('stall').length,
    stallMs: total(inside('stall')),
  };
}

/** Authenticated, then refused by validation before any database work: a probe that costs the instance little. */
const PROBE_PATH = '/api/tickets?limit=0';

/** Whether an instance accepts a token: 400 `VALIDATION_FAILED` means authentication passed, 401 that it did not. */
async function probe(instance: ServiceProcess, token: string): Promise<{ accepted: boolean; status: number; code: unknown }> {
  const { status, body } = await request('GET', `${instance.url}${PROBE_PATH}`, { token });
  return { accepted: status === 400 && body.code === 'VALIDATION_FAILED', status, code: body.code };
}

/** Polls one instance with the banned user's token, back to back, until it answers 401; ms since `since`. */
async function probeUntilRejected(instance: ServiceProcess, token: string, since: number): Promise<number> {
  for (;;) {
    const { accepted, status, code } = await probe(instance, token);
    const elapsed = performance.now() - since;
    if (status === 401) {
      if (code !== 'TOKEN_REVOKED') throw new Error(`${instance.name} rejected the banned user's token with ${String(code)}, not TOKEN_REVOKED`);
      return elapsed;
    }
    if (!accepted) throw new Error(`${instance.name} answered ${status} (${String(code)}) while the ban propagated`);
    if (elapsed > PROBE_TIMEOUT_MS) throw new Error(`${instance.name} still accepted a banned user's token after ${PROBE_TIMEOUT_MS} ms`);
  }
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
 * Suite 2: the auth service, K tickets instances (each its own process, `LOG_LEVEL=debug`) and a
 * nats-server. For each of `bans` fresh users, one after another: check every instance accepts
 * the user's token, ban the user through the admin API, then poll every instance with the token
 * (`GET /api/tickets?limit=0`: authentication, then a 400 without database work) until it answers
 * 401 `TOKEN_REVOKED`. Afterwards each instance's `revocation applied` lines give its own apply
 * time for every ban event, and the auth service's `outbox events committed` lines its commit.
 *
 * @param options - number of bans and instances, logger
 * @throws Error when an instance never rejects a banned user's token, or a ban is not applied
 * @example
 * const results = await runPropagationSuite({ bans: 500, instances: 3, log });
 */
export async function runPropagationSuite(options: PropagationOptions): Promise<PropagationResults> {
  // The auth service at debug level logs when each ban's transaction committed.
  const stack = await startAuthStack({ authLogLevel: 'debug', loopProbe: true });
  const instances: ServiceProcess[] = [];
  let observer: NatsConnection | undefined;
  try {
    for (let i = 0; i < options.instances; i += 1) {
      instances.push(
        startServiceProcess({
          name: `tickets-${i + 1}`,
          service: 'tickets',
          port: await freePort(),
          nodeArgs: stack.nodeArgs,
          env: { ...stack.serviceEnv, LOG_LEVEL: 'debug', DATA_DIR: join(stack.dataDir, `tickets-${i + 1}`) },
        }),
      );
    }
    await Promise.all(instances.map((instance) => instance.waitReady()));
    const adminToken = await stack.adminToken();
    // A plain subscriber on the event subjects notes when each event is on the bus, which
    // splits the apply time into the auth service's part and the delivery's.
    observer = await connectTo(stack.nats);
    const onBus = new Map<string, { seenAt: number; occurredAt: number }>();
    const subscription = observer.subscribe(allEventsSubject());
    void (async () => {
      for await (const msg of subscription) {
        const seenAt = performance.timeOrigin + performance.now();
        const event = msg.json<{ id: string; occurredAt: string }>();
        onBus.set(event.id, { seenAt, occurredAt: Date.parse(event.occurredAt) });
      }
    })();
    const run = randomBytes(4).toString('hex');
    const users = await mapWithConcurrency(
      Array.from({ length: options.bans }, (_, i) => i),
      SIGN_UP_CONCURRENCY,
      (i) => stack.signUp(`ban-${run}-${i}@example.com`),
    );
    options.log(`propagation: ${users.length} users signed up, ${instances.length} tickets instances ready`);

    const bans: { eventId: string; probeMs: number[]; banRequestMs: number }[] = [];
    const bansFrom = performance.timeOrigin + performance.now();
    for (const [index, user] of users.entries()) {
      for (const instance of instances) {
        const { accepted, status, code } = await probe(instance, user.token);
        if (!accepted) throw new Error(`${instance.name} refused a fresh token before the ban: ${status} ${String(code)}\n${instance.output().slice(-3000)}`);
      }
      const sent = performance.now();
      const { status, body } = await request('POST', `${stack.auth.url}/api/admin/users/${user.userId}/ban`, { token: adminToken, body: { reason: 'bench' } });
      const answered = performance.now();
      if (status !== 200 || typeof body.eventId !== 'string') throw new Error(`ban answered ${status}: ${JSON.stringify(body)}`);
      const probeMs = await Promise.all(instances.map((instance) => probeUntilRejected(instance, user.token, answered)));
      bans.push({ eventId: body.eventId, probeMs, banRequestMs: answered - sent });
      if ((index + 1) % 100 === 0) options.log(`propagation: ${index + 1} bans`);
    }

    // A log line can trail the 401 it explains (the pipe from the child is read asynchronously).
    const deadline = Date.now() + PROBE_TIMEOUT_MS;
    let applied = instances.map((instance) => appliedRevocations(instance.output()));
    let committed = committedEvents(stack.auth.output());
    while (Date.now() < deadline && (applied.some((lines) => bans.some(({ eventId }) => !lines.has(eventId))) || bans.some(({ eventId }) => !committed.has(eventId)))) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      applied = instances.map((instance) => appliedRevocations(instance.output()));
      committed = committedEvents(stack.auth.output());
    }
    const committedAt = (eventId: string): number => {
      const at = committed.get(eventId);
      if (at === undefined) throw new Error(`the auth service logged no commit of ban event ${eventId}`);
      return at;
    };
    const applyByInstance = instances.map((instance, i) =>
      bans.map(({ eventId }) => {
        const line = applied[i]?.get(eventId);
        if (line === undefined) throw new Error(`${instance.name} logged no application of ban event ${eventId}`);
        if (!line.live) throw new Error(`${instance.name} applied ban event ${eventId} while replaying, not live`);
        return line.appliedAt - committedAt(eventId);
      }),
    );
    const bansTo = performance.timeOrigin + performance.now();
    const probeByInstance = instances.map((_, i) => bans.map((ban) => ban.probeMs[i] as number));
    await observer.close();
    const sent = sentEvents(stack.auth.output());
    const sentAt = (eventId: string): number => {
      const at = sent.get(eventId);
      if (at === undefined) throw new Error(`the auth service logged no send of ban event ${eventId}`);
      return at;
    };
    const authLoop = loopProbeRecords(stack.auth.output());
    const instanceLoops = instances.map((instance) => loopProbeRecords(instance.output()));
    const transactionMs: number[] = [];
    const toBusMs: number[] = [];
    const busToApplyMs: number[] = [];
    const commitToSentMs: number[] = [];
    const sentToBusMs: number[] = [];
    const slow: { commitToSent: number; sentToBus: number; busToApply: number; authPaused: boolean; instancePaused: boolean; gc: boolean }[] = [];
    // Every time below is epoch ms with a sub-millisecond fraction, from one machine's clock.
    for (const { eventId } of bans) {
      const seen = onBus.get(eventId);
      if (seen === undefined) throw new Error(`the bench never saw ban event ${eventId} on the bus`);
      transactionMs.push(committedAt(eventId) - seen.occurredAt);
      const committedMs = committedAt(eventId);
      toBusMs.push(seen.seenAt - committedMs);
      commitToSentMs.push(sentAt(eventId) - committedMs);
      sentToBusMs.push(seen.seenAt - sentAt(eventId));
      applied.forEach((lines, i) => {
        const appliedAt = lines.get(eventId)?.appliedAt ?? Number.NaN;
        busToApplyMs.push(appliedAt - seen.seenAt);
        if (appliedAt - committedMs <= PROPAGATION_TARGET_P99_MS) return;
        // Auth matters until it handed the event to the client (the flush follows in a microtask); from
        // then on the instance's loop, nats-server and the scheduler. The bench's own subscriber, busy
        // probing, is left out of both windows: its clock reading of the bus is the least reliable.
        const pauses = instanceLoops[i]?.pauses ?? [];
        const authStall = pausedWithin(authLoop.pauses, 'stall', committedMs, sentAt(eventId));
        const authGc = pausedWithin(authLoop.pauses, 'gc', committedMs, sentAt(eventId));
        const instanceStall = pausedWithin(pauses, 'stall', sentAt(eventId), appliedAt);
        const instanceGc = pausedWithin(pauses, 'gc', sentAt(eventId), appliedAt);
        slow.push({
          commitToSent: sentAt(eventId) - committedMs,
          sentToBus: seen.seenAt - sentAt(eventId),
          busToApply: appliedAt - seen.seenAt,
          authPaused: Math.max(authStall, authGc) >= PAUSE_FLOOR_MS,
          instancePaused: Math.max(instanceStall, instanceGc) >= PAUSE_FLOOR_MS,
          gc: Math.max(authGc, instanceGc) >= PAUSE_FLOOR_MS,
        });
      });
    }
    const medianOf = (values: number[]) => (values.length === 0 ? Number.NaN : summarize(values).p50);
    const tail: TailBreakdown = {
      slow: slow.length,
      total: bans.length * instances.length,
      authPaused: slow.filter((sample) => sample.authPaused).length,
      instancePaused: slow.filter((sample) => sample.instancePaused).length,
      gcPaused: slow.filter((sample) => sample.gc).length,
      unexplained: slow.filter((sample) => !sample.authPaused && !sample.instancePaused).length,
      slowCommitToSentMs: medianOf(slow.map((sample) => sample.commitToSent)),
      slowSentToBusMs: medianOf(slow.map((sample) => sample.sentToBus)),
      slowBusToApplyMs: medianOf(slow.map((sample) => sample.busToApply)),
    };
    const loops = [
      loopSummary('auth', authLoop.pauses, authLoop.delays, bansFrom, bansTo),
      ...instances.map((instance, i) => loopSummary(instance.name, instanceLoops[i]?.pauses ?? [], instanceLoops[i]?.delays ?? [], bansFrom, bansTo)),
    ];
    const applyMs = applyByInstance.flat();
    const probeMs = probeByInstance.flat();
    return {
      bans: bans.length,
      instances: instances.length,
      applyMs: summarize(applyMs),
      probeMs: summarize(probeMs),
      transactionMs: summarize(transactionMs),
      toBusMs: summarize(toBusMs),
      busToApplyMs: summarize(busToApplyMs),
      banRequestMs: summarize(bans.map((ban) => ban.banRequestMs)),
      commitToSentMs: summarize(commitToSentMs),
      sentToBusMs: summarize(sentToBusMs),
      tail,
      loops,
      perInstance: instances.map((instance, i) => ({ name: instance.name, applyMs: summarize(applyByInstance[i] ?? []), probeMs: summarize(probeByInstance[i] ?? []) })),
      samples: { applyMs: applyMs.map((value) => Math.round(value * 1000) / 1000), probeMs: probeMs.map((value) => Math.round(value * 1000) / 1000) },
    };
  } finally {
    await observer?.close();
    await Promise.all(instances.map((instance) => instance.stop()));
    await stack.stop();
  }
}

function ms(value: number): string {
  return formatNumber(value, 2);
}

/** The tail breakdown and the event loops, from the loop probe (`bench/src/loop-probe.mjs`) in every service process. */
function tailMarkdown(results: PropagationResults): string {
  const { tail } = results;
  const share = (count: number) => `${formatNumber(count)} (${formatPercent(tail.slow === 0 ? 0 : count / tail.slow, 0)})`;
  return [
    `Where the tail goes: ${formatNumber(tail.slow)} of ${formatNumber(tail.total)} samples took longer than ${PROPAGATION_TARGET_P99_MS} ms from commit to apply. Each service process ran the loop probe, which records GC pauses and every stretch in which a 2 ms timer ran more than 1 ms late (a long synchronous task, a GC pause, or the process waiting for a core):`,
    '',
    markdownTable(
      ['Slow samples (apply > target) that met', 'Samples'],
      [
        ['a pause ≥ 1 ms of the auth process between the commit and handing the event to the NATS client', share(tail.authPaused)],
        ['a pause ≥ 1 ms of the instance between that hand-over and its apply', share(tail.instancePaused)],
        ['… of those pauses, a GC pause ≥ 1 ms (either process)', share(tail.gcPaused)],
        ['no pause ≥ 1 ms in either process (the time went to nats-server or the network path)', share(tail.unexplained)],
      ],
      ['l', 'r'],
    ),
    '',
    `Medians of the slow samples: commit → sent ${ms(tail.slowCommitToSentMs)} ms, sent → bus ${ms(tail.slowSentToBusMs)} ms, bus → applied ${ms(tail.slowBusToApplyMs)} ms.`,
    '',
    markdownTable(
      ['Process', 'loop delay p99 (median of seconds, ms)', 'worst second max (ms)', 'GC pauses', 'GC total (ms)', 'stalls', 'stall total (ms)'],
      results.loops.map((loop) => [loop.name, ms(loop.delayP99Ms), ms(loop.delayMaxMs), formatNumber(loop.gcPauses), ms(loop.gcMs), formatNumber(loop.stalls), ms(loop.stallMs)]),
      ['l', 'r', 'r', 'r', 'r', 'r', 'r'],
    ),
  ].join('\n');
}

/**
 * The propagation section of docs/benchmarks.md and its chart.
 *
 * @example
 * const { markdown, charts } = propagationReport(results);
 */
export function propagationReport(results: PropagationResults): { markdown: string; charts: Record<string, string> } {
  const row = (name: string, summary: Summary, coupled: string) => [name, ms(summary.p50), ms(summary.p95), ms(summary.p99), ms(summary.max), coupled];
  const table = markdownTable(
    ['Ban → token rejected', 'p50 (ms)', 'p95 (ms)', 'p99 (ms)', 'max (ms)', 'Works with the auth service down'],
    [
      row(`Veto: instance apply (${results.bans} bans × ${results.instances} instances)`, results.applyMs, 'yes'),
      row(`Veto: client probe (${results.bans} bans × ${results.instances} instances)`, results.probeMs, 'yes'),
      ['Pure Option 2: 15-minute TTL, no events', '—', '—', '—', `${formatNumber(TTL_WORST_CASE_MS)} (worst case)`, 'yes'],
      ['Option 1: introspection per request', '0', '0', '0', '0', 'no: every request fails with it'],
    ],
    ['l', 'r', 'r', 'r', 'r', 'l'],
  );
  const perInstance = markdownTable(
    ['Instance', 'apply p50', 'apply p99', 'apply max', 'probe p50', 'probe p99', 'probe max'],
    results.perInstance.map((instance) => [
      instance.name,
      ms(instance.applyMs.p50),
      ms(instance.applyMs.p99),
      ms(instance.applyMs.max),
      ms(instance.probeMs.p50),
      ms(instance.probeMs.p99),
      ms(instance.probeMs.max),
    ]),
    ['l', 'r', 'r', 'r', 'r', 'r', 'r'],
  );
  const target = markdownTable(
    ['Target', 'Measured', 'Verdict'],
    [
      [`p99 ≤ ${PROPAGATION_TARGET_P99_MS} ms (instance apply)`, `${ms(results.applyMs.p99)} ms`, verdict(results.applyMs.p99 <= PROPAGATION_TARGET_P99_MS)],
      [`p99 ≤ ${PROPAGATION_TARGET_P99_MS} ms (client probe)`, `${ms(results.probeMs.p99)} ms`, verdict(results.probeMs.p99 <= PROPAGATION_TARGET_P99_MS)],
    ],
  );
  const markdown = [
    table,
    '',
    `At p99, a ban is enforced by every instance ${formatNumber(TTL_WORST_CASE_MS / Math.max(results.applyMs.p99, results.probeMs.p99))}× sooner than the 15-minute worst case of plain local verification, without the coupling of introspection.`,
    '',
    target,
    '',
    'Where the apply time goes (a plain NATS subscriber in the bench notes when each event is on the bus):',
    '',
    markdownTable(
      ['Stage', 'p50 (ms)', 'p95 (ms)', 'p99 (ms)', 'max (ms)'],
      [
        [
          'before the commit: ban `occurredAt` → commit (the rest of the ban transaction; not part of the measure)',
          ms(results.transactionMs.p50),
          ms(results.transactionMs.p95),
          ms(results.transactionMs.p99),
          ms(results.transactionMs.max),
        ],
        ['auth: commit → event on the bus (outbox relay, JetStream ack)', ms(results.toBusMs.p50), ms(results.toBusMs.p95), ms(results.toBusMs.p99), ms(results.toBusMs.max)],
        [
          '… of which commit → relay hands it to the NATS client (relay wake-up)',
          ms(results.commitToSentMs.p50),
          ms(results.commitToSentMs.p95),
          ms(results.commitToSentMs.p99),
          ms(results.commitToSentMs.max),
        ],
        [
          "… of which client → nats-server → the bench's subscriber",
          ms(results.sentToBusMs.p50),
          ms(results.sentToBusMs.p95),
          ms(results.sentToBusMs.p99),
          ms(results.sentToBusMs.max),
        ],
        [
          'bus → applied in an instance (fan-out delivery, validation, cache update)',
          ms(results.busToApplyMs.p50),
          ms(results.busToApplyMs.p95),
          ms(results.busToApplyMs.p99),
          ms(results.busToApplyMs.max),
        ],
        ['the admin ban request (sent → response read)', ms(results.banRequestMs.p50), ms(results.banRequestMs.p95), ms(results.banRequestMs.p99), ms(results.banRequestMs.max)],
      ],
      ['l', 'r', 'r', 'r', 'r'],
    ),
    '',
    perInstance,
    '',
    tailMarkdown(results),
    '',
    '![Ban to rejection, cumulative distribution](benchmarks/propagation.svg)',
  ].join('\n');
  const xMax = Math.max(results.applyMs.p99, results.probeMs.p99) * 1.5;
  const chart = renderCdfChart({
    title: `Ban → token rejected (${results.bans} bans × ${results.instances} instances)`,
    xLabel: 'milliseconds',
    xMax,
    series: [
      { name: 'instance apply (ban commit → applied)', values: results.samples.applyMs },
      { name: 'client probe (ban response → first 401)', values: results.samples.probeMs },
    ],
  });
  return { markdown, charts: { 'propagation.svg': chart } };
}
