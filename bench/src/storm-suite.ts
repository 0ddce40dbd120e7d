import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { freePort, request, startServiceProcess } from '@veto/e2e';
import { jetstreamManager } from '@nats-io/jetstream';
import { DEFAULT_STREAM } from '@veto/events';
import { connectTo } from '@veto/events/testing';
import { startAuthStack, type AuthStack } from './auth-stack';
import { startBenchChild } from './bench-child';
import { runLoad, type LoadResult } from './http-load';
import { formatNumber, formatPercent, formatRatio, markdownTable, verdict } from './markdown-table';
import { processCpuSeconds } from './process-cpu';
import { startRedisServer } from './redis-server';
import { median } from './summarize';

/** Targets of issue 6 for suite 4, against the quiet run. */
export const STORM_TARGETS = { throughputWithin: 0.1, p99Within: 2 } as const;

/** Options of {@link runStormSuite}. */
export interface StormOptions {
  readonly rounds: number;
  readonly durationSeconds: number;
  readonly connections: number;
  /** Bans per second during a storm run. */
  readonly rate: number;
  readonly log: (line: string) => void;
}

/** One server variant's quiet and storm runs. */
export interface StormVariantResult {
  readonly variant: string;
  readonly description: string;
  readonly quiet: readonly { requestsPerSecond: number; p99Ms: number }[];
  readonly storm: readonly { requestsPerSecond: number; p99Ms: number; bansPerSecond: number; drainSeconds: number }[];
  /** Medians over rounds of storm ÷ quiet within the same round. */
  readonly throughputRatio: number;
  readonly p99Ratio: number;
  readonly quietRequestsPerSecond: number;
  readonly stormRequestsPerSecond: number;
  readonly quietP99Ms: number;
  readonly stormP99Ms: number;
  readonly bansPerSecond: number;
  /** Median time from a storm's end until the moderation work queue had handled every ban (0 when there is none). */
  readonly drainSeconds: number;
  /** The server process's CPU time per read served, quiet and during the storm (ms). */
  readonly quietCpuMsPerRequest: number;
  readonly stormCpuMsPerRequest: number;
}

/** What suite 4 found. */
export interface StormResults {
  readonly route: string;
  readonly connections: number;
  readonly durationSeconds: number;
  readonly rounds: number;
  readonly rate: number;
  readonly variants: readonly StormVariantResult[];
}

type Publisher = Awaited<ReturnType<typeof startBenchChild<{ ready: true }>>>;

/** The tickets service's durable work-queue consumer (its moderation service name). */
const MODERATION_CONSUMER = 'tickets';
const DRAIN_TIMEOUT_MS = 120_000;

/** A server under test, with the base URL of its tickets routes. */
interface StormServer {
  readonly base: string;
  /** The server's process, whose CPU time each run is charged with. */
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

const STORM_VARIANTS: readonly { name: string; description: string; hasWorkQueue: boolean; start: (stack: AuthStack) => Promise<StormServer> }[] = [
  {
    name: 'tickets-service',
    hasWorkQueue: true,
    description: 'tickets service as deployed (revocation feed + moderation work queue)',
    async start(stack) {
      const tickets = startServiceProcess({
        name: 'tickets',
        service: 'tickets',
        port: await freePort(),
        nodeArgs: stack.nodeArgs,
        env: { ...stack.serviceEnv, DATA_DIR: join(stack.dataDir, 'tickets') },
      });
      try {
        await tickets.waitReady();
      } catch (error) {
        await tickets.stop();
        throw error;
      }
      return { base: tickets.url, pid: tickets.pid, stop: async () => void (await tickets.stop()) };
    },
  },
  {
    name: 'revocation-feed-only',
    hasWorkQueue: false,
    description: 'suite 1 bench server, mode (b): revocation feed only',
    async start(stack) {
      // The bench server builds every suite-1 mode, the Redis denylist's included, so it needs a Redis to start; mode (b) never calls it.
      const redis = await startRedisServer();
      try {
        const server = await startBenchChild<{ ports: Record<string, number> }>(
          'overhead-server.ts',
          {
            ...stack.serviceEnv,
            DATA_DIR: join(stack.dataDir, 'storm-server'),
            REDIS_URL: redis.url,
            INTROSPECTION_URL: stack.introspectionUrl,
            INTROSPECTION_CLIENT_SECRET: stack.introspectionSecret,
          },
          { nodeArgs: [...stack.nodeArgs] },
        );
        return {
          base: `http://127.0.0.1:${server.ready.ports.veto}`,
          pid: server.process.pid,
          stop: async () => {
            await server.stop();
            await redis.stop();
          },
        };
      } catch (error) {
        await redis.stop();
        throw error;
      }
    },
  },
];

async function stormRun<L>(publisher: Publisher, rate: number, run: () => Promise<L>): Promise<{ load: L; bansPerSecond: number }> {
  const answer = once(publisher.process, 'message');
  publisher.process.send({ start: rate });
  let load: L;
  try {
    load = await run();
  } finally {
    publisher.process.send({ stop: true });
  }
  const [{ published, seconds }] = (await answer) as [{ published: number; seconds: number }];
  return { load, bansPerSecond: published / seconds };
}

/**
 * Suite 4: the tickets read of suite 1 while `user.banned` events arrive at `rate` per second,
 * against the same without bans, in interleaved quiet/storm rounds. The bans are published
 * straight onto the bus by a separate publisher process (acknowledged JetStream publishes),
 * not through the admin API: the auth service's own write path is not what is measured here.
 * Two servers, one after the other: the tickets service as deployed (revocation feed and the
 * moderation work queue, which writes to its database for every ban), and the suite-1 bench
 * server's Veto mode (revocation feed only). After a storm run, the next run waits until the
 * work queue has handled every ban.
 *
 * @param options - rounds, run length, connections, ban rate, logger
 * @throws Error when a server does not start or answers errors
 * @example
 * const results = await runStormSuite({ rounds: 3, durationSeconds: 5, connections: 10, rate: 1000, log });
 */
export async function runStormSuite(options: StormOptions): Promise<StormResults> {
  const stack = await startAuthStack();
  const observer = await connectTo(stack.nats);
  try {
    const jsm = await jetstreamManager(observer);
    const user = await stack.signUp(`storm-${randomBytes(4).toString('hex')}@example.com`);
    const publisher = await startBenchChild<{ ready: true }>('storm-publisher.ts', { NATS_URL: stack.nats.url });
    try {
      const results: StormVariantResult[] = [];
      for (const variant of STORM_VARIANTS) {
        // One server at a time: the other's consumers would compete for the same two cores.
        const server = await variant.start(stack);
        try {
          const created = await request('POST', `${server.base}/api/tickets`, { token: user.token, body: { title: 'Storm ticket', price: 100 } });
          if (created.status !== 201) throw new Error(`${variant.name}: creating the ticket answered ${created.status}`);
          const url = `${server.base}/api/tickets/${created.body.id as string}`;
          // The server's own CPU time per run separates what the bans cost it from what the publisher
          // and nats-server take from the shared cores.
          const cpu = () => (server.pid === undefined ? Number.NaN : processCpuSeconds(server.pid));
          const load = async (durationSeconds: number): Promise<LoadResult & { cpuSeconds: number }> => {
            const before = cpu();
            const result = await runLoad({ url, headers: { authorization: `Bearer ${user.token}` }, connections: options.connections, durationSeconds });
            return { ...result, cpuSeconds: cpu() - before };
          };
          // The work queue keeps handling a storm's bans after it ends; a quiet run starts only once it caught up.
          const drained = async (): Promise<number> => {
            if (!variant.hasWorkQueue) return 0;
            const started = performance.now();
            for (;;) {
              const info = await jsm.consumers.info(DEFAULT_STREAM, MODERATION_CONSUMER).catch(() => undefined);
              if (info === undefined || info.num_pending + info.num_ack_pending === 0) return (performance.now() - started) / 1000;
              if (performance.now() - started > DRAIN_TIMEOUT_MS) throw new Error(`${variant.name}: the moderation work queue did not catch up within ${DRAIN_TIMEOUT_MS} ms`);
              await new Promise((resolve) => setTimeout(resolve, 100));
            }
          };
          await load(1);
          const quiet: (LoadResult & { cpuSeconds: number })[] = [];
          const storm: { load: LoadResult & { cpuSeconds: number }; bansPerSecond: number; drainSeconds: number }[] = [];
          for (let round = 0; round < options.rounds; round += 1) {
            // Alternating which goes first keeps drift (a warming JIT, a growing cache) out of the ratio.
            for (const condition of round % 2 === 0 ? ['quiet', 'storm'] : ['storm', 'quiet']) {
              if (condition === 'quiet') {
                const result = await load(options.durationSeconds);
                quiet.push(result);
                options.log(`storm: ${variant.name} round ${round + 1} quiet: ${formatNumber(result.requestsPerSecond)} req/s, p99 ${result.latencyMs?.p99.toFixed(2)} ms`);
              } else {
                const result = await stormRun(publisher, options.rate, () => load(options.durationSeconds));
                const drainSeconds = await drained();
                storm.push({ ...result, drainSeconds });
                options.log(
                  `storm: ${variant.name} round ${round + 1} storm (${formatNumber(result.bansPerSecond)} bans/s): ${formatNumber(result.load.requestsPerSecond)} req/s, p99 ${result.load.latencyMs?.p99.toFixed(2)} ms; work queue caught up ${drainSeconds.toFixed(1)} s later`,
                );
              }
            }
          }
          for (const result of [...quiet, ...storm.map((run) => run.load)]) {
            if (result.successRate < 1) throw new Error(`${variant.name}: not every read succeeded: ${JSON.stringify(result.statusCounts)}, ${result.errors} errors`);
          }
          const p99 = (result: LoadResult) => result.latencyMs?.p99 ?? Number.NaN;
          const cpuMsPerRequest = (result: LoadResult & { cpuSeconds: number }) => (result.cpuSeconds * 1000) / result.responses;
          results.push({
            variant: variant.name,
            description: variant.description,
            quiet: quiet.map((run) => ({ requestsPerSecond: run.requestsPerSecond, p99Ms: p99(run) })),
            storm: storm.map((run) => ({ requestsPerSecond: run.load.requestsPerSecond, p99Ms: p99(run.load), bansPerSecond: run.bansPerSecond, drainSeconds: run.drainSeconds })),
            throughputRatio: median(storm.map((run, i) => run.load.requestsPerSecond / (quiet[i]?.requestsPerSecond ?? Number.NaN))),
            p99Ratio: median(storm.map((run, i) => p99(run.load) / p99(quiet[i] as LoadResult))),
            quietRequestsPerSecond: median(quiet.map((run) => run.requestsPerSecond)),
            stormRequestsPerSecond: median(storm.map((run) => run.load.requestsPerSecond)),
            quietP99Ms: median(quiet.map(p99)),
            stormP99Ms: median(storm.map((run) => p99(run.load))),
            bansPerSecond: median(storm.map((run) => run.bansPerSecond)),
            drainSeconds: median(storm.map((run) => run.drainSeconds)),
            quietCpuMsPerRequest: median(quiet.map(cpuMsPerRequest)),
            stormCpuMsPerRequest: median(storm.map((run) => cpuMsPerRequest(run.load))),
          });
        } finally {
          await server.stop();
        }
      }
      return {
        route: 'GET /api/tickets/:id',
        connections: options.connections,
        durationSeconds: options.durationSeconds,
        rounds: options.rounds,
        rate: options.rate,
        variants: results,
      };
    } finally {
      publisher.process.send({ exit: true });
      await publisher.stop();
    }
  } finally {
    await observer.close();
    await stack.stop();
  }
}

/**
 * The ban-storm section of docs/benchmarks.md.
 *
 * @example
 * const markdown = stormMarkdown(results);
 */
export function stormMarkdown(results: StormResults): string {
  const table = markdownTable(
    [
      'Server',
      'Quiet req/s',
      'Storm req/s',
      'Throughput storm ÷ quiet',
      'Quiet p99 (ms)',
      'Storm p99 (ms)',
      'p99 storm ÷ quiet',
      'Bans/s achieved',
      'Server CPU per read, quiet → storm (ms)',
      'Work queue caught up after (s)',
      'Targets',
    ],
    results.variants.map((variant) => {
      const met = variant.throughputRatio >= 1 - STORM_TARGETS.throughputWithin && variant.p99Ratio <= STORM_TARGETS.p99Within;
      return [
        variant.description,
        formatNumber(variant.quietRequestsPerSecond),
        formatNumber(variant.stormRequestsPerSecond),
        formatRatio(variant.throughputRatio),
        formatNumber(variant.quietP99Ms, 2),
        formatNumber(variant.stormP99Ms, 2),
        formatRatio(variant.p99Ratio),
        formatNumber(variant.bansPerSecond),
        `${formatNumber(variant.quietCpuMsPerRequest, 3)} → ${formatNumber(variant.stormCpuMsPerRequest, 3)}`,
        formatNumber(variant.drainSeconds, 1),
        verdict(met),
      ];
    }),
    ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l'],
  );
  return [
    `\`${results.route}\`, ${results.connections} connections, ${results.rounds} rounds of quiet and storm runs (${results.durationSeconds} s each, order alternating); ratios taken within each round, medians reported. Targets: throughput within ${formatPercent(STORM_TARGETS.throughputWithin, 0)} of the quiet run, p99 within ${STORM_TARGETS.p99Within}×. Server CPU per read = the server process's CPU time during the run ÷ reads served, so whatever the server spends on the bans shows up in it, while the publisher and nats-server, which share the two cores, are not charged to it.`,
    '',
    table,
  ].join('\n');
}
