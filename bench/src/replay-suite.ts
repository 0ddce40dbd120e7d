import { ensureStreams } from '@veto/events';
import { connectTo, startNatsServer } from '@veto/events/testing';
import { createRevocationFeed, RevocationCache } from '@veto/auth-lib';
import { formatNumber, markdownTable, verdict } from './markdown-table';
import { fillStreamWithBans } from './publish-bans';
import { median } from './summarize';

const TTL_SECONDS = 900;
const SKEW_SECONDS = 30;
/** Targets of issue 6. */
export const REPLAY_TARGETS = { eventsPerSecond: 100_000, bytesPerEntry: 256 } as const;

/** One fresh feed rebuilding its cache from a stream of `events` bans. */
export interface ReplayRun {
  readonly events: number;
  readonly seconds: number;
  /** From creating the feed to the first applied event: consumer set-up, independent of the size. */
  readonly firstEventSeconds: number;
  readonly eventsPerSecond: number;
  readonly entries: number;
  readonly heapBytes: number;
  readonly bytesPerEntry: number;
}

function collectGarbage(): void {
  if (typeof global.gc !== 'function') throw new Error('run the replay suite with node --expose-gc');
  global.gc();
  global.gc();
}

/**
 * Measures a fresh feed's replay: from creating the cache and feed to `feed.ready` (every event
 * stored when it started has been validated and applied), then the heap the cache holds, with
 * garbage collected before and after and the feed stopped so only the cache remains.
 */
async function replayOnce(nc: Parameters<typeof createRevocationFeed>[0]['nc'], stream: string, subjectPrefix: string, events: number): Promise<ReplayRun> {
  collectGarbage();
  const heapBefore = process.memoryUsage().heapUsed;
  const started = performance.now();
  const cache = new RevocationCache({ accessTokenTtlSeconds: TTL_SECONDS, clockSkewSeconds: SKEW_SECONDS });
  let firstEventAt: number | undefined;
  const feed = createRevocationFeed({
    nc,
    cache,
    accessTokenTtlSeconds: TTL_SECONDS,
    clockSkewSeconds: SKEW_SECONDS,
    stream,
    subjectPrefix,
    onApplied: () => {
      firstEventAt ??= performance.now();
    },
  });
  await feed.ready;
  const finished = performance.now();
  const seconds = (finished - started) / 1000;
  const firstEventSeconds = ((firstEventAt ?? finished) - started) / 1000;
  if (feed.stats.applied !== events) throw new Error(`replay applied ${feed.stats.applied} events, expected ${events}`);
  await feed.stop();
  collectGarbage();
  const heapBytes = process.memoryUsage().heapUsed - heapBefore;
  // Read after the measurement so the cache is still reachable when the heap is read.
  const entries = cache.size;
  if (entries !== events) throw new Error(`cache holds ${entries} entries, expected ${events}`);
  return { events, seconds, firstEventSeconds, eventsPerSecond: events / seconds, entries, heapBytes, bytesPerEntry: heapBytes / entries };
}

/** What the replay suite found, per stream size. */
export interface ReplayResults {
  readonly rounds: number;
  readonly sizes: readonly { events: number; publishSeconds: number; runs: readonly ReplayRun[]; eventsPerSecond: number; bytesPerEntry: number }[];
}

/**
 * Suite 3: fills one stream per size with `user.banned` events (each a distinct user, inside the
 * replay window), then times fresh feeds rebuilding their cache from it; rounds of the sizes
 * are interleaved and the median is reported.
 *
 * @param options - stream sizes and rounds
 * @example
 * const results = await runReplaySuite({ sizes: [10_000, 100_000, 1_000_000], rounds: 3 });
 */
export async function runReplaySuite(options: { sizes: readonly number[]; rounds: number; log: (line: string) => void }): Promise<ReplayResults> {
  const nats = await startNatsServer();
  const nc = await connectTo(nats);
  try {
    const streams: { events: number; stream: string; subjectPrefix: string; publishSeconds: number; runs: ReplayRun[] }[] = [];
    for (const events of options.sizes) {
      const stream = `REPLAY_${events}`;
      const subjectPrefix = `replay${events}`;
      await ensureStreams(nc, { name: stream, subjectPrefix, deadLetterStream: `REPLAY_DLQ_${events}`, deadLetterPrefix: `replaydlq${events}` });
      const started = performance.now();
      // Ten minutes ago: inside the replay window (ttl + skew), as live bans would be.
      await fillStreamWithBans(nc, { count: events, stream, subjectPrefix, occurredAt: new Date(Date.now() - 10 * 60 * 1000) });
      const publishSeconds = (performance.now() - started) / 1000;
      options.log(`replay: stored ${formatNumber(events)} events in ${publishSeconds.toFixed(1)} s`);
      streams.push({ events, stream, subjectPrefix, publishSeconds, runs: [] });
    }
    // A first, unrecorded rebuild warms up the code paths and lets the publishing's garbage go,
    // so the first recorded heap delta is not skewed by it.
    const smallest = streams[0];
    if (smallest !== undefined) await replayOnce(nc, smallest.stream, smallest.subjectPrefix, smallest.events);
    for (let round = 0; round < options.rounds; round += 1) {
      for (const entry of streams) {
        const run = await replayOnce(nc, entry.stream, entry.subjectPrefix, entry.events);
        entry.runs.push(run);
        options.log(`replay: round ${round + 1}, ${formatNumber(entry.events)} events: ${formatNumber(run.eventsPerSecond)} events/s, ${run.bytesPerEntry.toFixed(0)} B/entry`);
      }
    }
    return {
      rounds: options.rounds,
      sizes: streams.map(({ events, publishSeconds, runs }) => ({
        events,
        publishSeconds,
        runs,
        eventsPerSecond: median(runs.map((run) => run.eventsPerSecond)),
        bytesPerEntry: median(runs.map((run) => run.bytesPerEntry)),
      })),
    };
  } finally {
    await nc.close();
    await nats.stop();
  }
}

/**
 * The replay section of docs/benchmarks.md: one row per size with the verdict on each target.
 *
 * @example
 * const markdown = replayMarkdown(results);
 */
export function replayMarkdown(results: ReplayResults): string {
  const rows = results.sizes.map((size) => [
    formatNumber(size.events),
    formatNumber(median(size.runs.map((run) => run.seconds)), 2),
    formatNumber(median(size.runs.map((run) => run.firstEventSeconds * 1000))),
    formatNumber(size.eventsPerSecond),
    `${(size.eventsPerSecond / REPLAY_TARGETS.eventsPerSecond).toFixed(2)}× target, ${verdict(size.eventsPerSecond >= REPLAY_TARGETS.eventsPerSecond)}`,
    formatNumber(size.bytesPerEntry),
    verdict(size.bytesPerEntry <= REPLAY_TARGETS.bytesPerEntry),
  ]);
  return [
    `Median of ${results.rounds} interleaved rounds; every event bans a distinct user, so entries = events. Rebuild = creating the feed → \`feed.ready\`; events/s = events ÷ rebuild.`,
    '',
    markdownTable(
      [
        'Events in the stream',
        'Rebuild (s)',
        'First event after (ms)',
        'Events/s',
        `vs ≥ ${formatNumber(REPLAY_TARGETS.eventsPerSecond)}/s`,
        'Heap bytes / entry',
        `≤ ${REPLAY_TARGETS.bytesPerEntry} B`,
      ],
      rows,
      ['r', 'r', 'r', 'r', 'l', 'r', 'l'],
    ),
  ].join('\n');
}
