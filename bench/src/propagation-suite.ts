import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { freePort, request, startServiceProcess, type ServiceProcess } from '@veto/e2e';
import { allEventsSubject, type NatsConnection } from '@veto/events';
import { connectTo } from '@veto/events/testing';
import { appliedRevocations, committedEvents } from './applied-revocations';
import { startAuthStack } from './auth-stack';
import { formatNumber, markdownTable, verdict } from './markdown-table';
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
  readonly perInstance: readonly { name: string; applyMs: Summary; probeMs: Summary }[];
  readonly samples: { readonly applyMs: readonly number[]; readonly probeMs: readonly number[] };
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
  const stack = await startAuthStack({ authLogLevel: 'debug' });
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
    const probeByInstance = instances.map((_, i) => bans.map((ban) => ban.probeMs[i] as number));
    await observer.close();
    const transactionMs: number[] = [];
    const toBusMs: number[] = [];
    const busToApplyMs: number[] = [];
    // Every time below is epoch ms with a sub-millisecond fraction, from one machine's clock.
    for (const { eventId } of bans) {
      const seen = onBus.get(eventId);
      if (seen === undefined) throw new Error(`the bench never saw ban event ${eventId} on the bus`);
      transactionMs.push(committedAt(eventId) - seen.occurredAt);
      toBusMs.push(seen.seenAt - committedAt(eventId));
      for (const lines of applied) busToApplyMs.push((lines.get(eventId)?.appliedAt ?? Number.NaN) - seen.seenAt);
    }
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
    results.perInstance.map((instance) => [instance.name, ms(instance.applyMs.p50), ms(instance.applyMs.p99), ms(instance.applyMs.max), ms(instance.probeMs.p50), ms(instance.probeMs.p99), ms(instance.probeMs.max)]),
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
        ['before the commit: ban `occurredAt` → commit (the rest of the ban transaction; not part of the measure)', ms(results.transactionMs.p50), ms(results.transactionMs.p95), ms(results.transactionMs.p99), ms(results.transactionMs.max)],
        ['auth: commit → event on the bus (outbox relay, JetStream ack)', ms(results.toBusMs.p50), ms(results.toBusMs.p95), ms(results.toBusMs.p99), ms(results.toBusMs.max)],
        ['bus → applied in an instance (fan-out delivery, validation, cache update)', ms(results.busToApplyMs.p50), ms(results.busToApplyMs.p95), ms(results.busToApplyMs.p99), ms(results.busToApplyMs.max)],
        ['the admin ban request (sent → response read)', ms(results.banRequestMs.p50), ms(results.banRequestMs.p95), ms(results.banRequestMs.p99), ms(results.banRequestMs.max)],
      ],
      ['l', 'r', 'r', 'r', 'r'],
    ),
    '',
    perInstance,
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
