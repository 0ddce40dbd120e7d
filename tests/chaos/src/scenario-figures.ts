import type { BanRecord } from './ban-ledger';
import type { ReadySample } from './readiness-sampler';

/** How long a ban may stay unenforced on an instance, once the stream stored it, before that instance saying "ready" is a lie. */
export const LIE_GAP_MS = 2_000;

/** The counts a scenario gathers itself, beside its bans and readiness samples. */
export interface ScenarioTallies {
  /** Ban requests that did not get a 200 (not counted as attempted). */
  readonly banRequestsFailed: number;
  /** Earlier bans a restarted instance accepted (200) right after it said ready. */
  readonly forgotten: number;
  /** Tokens of users who are not banned that an instance did not accept (200) by the deadline. */
  readonly wronglyRefused: number;
  /** `/readyz` requests sent in total, ready or not. */
  readonly readinessSamples: number;
  readonly durationMs: number;
  /** What else happened: instances that did not come back, requests that failed. */
  readonly notes: readonly string[];
  /** The last lines each service process wrote (warnings and errors), for a failure's explanation. */
  readonly processOutput: string;
}

/** What a push receiver got of the bans (scenario 6): one account-disabled SET per ban, at least once. */
export interface SetDeliveryFigures {
  /** Bans the admin API confirmed. */
  readonly bans: number;
  /** Account-disabled SETs of those bans the receiver accepted, duplicates included. */
  readonly received: number;
  /** Confirmed bans without any SET at the receiver. */
  readonly lost: number;
  /** SETs that came again with a jti already received (allowed: delivery is at least once). */
  readonly duplicates: number;
  /** Bans whose SETs carried more than one jti: a redelivered SET must keep its jti. */
  readonly bansWithSeveralJtis: number;
  /** The longest time from a ban's 200 until its first SET arrived; undefined without any. */
  readonly longestBanToSetMs: number | undefined;
  /** SETs the receiver refused (signature, typ, iss or aud). */
  readonly refused: number;
}

/** What one scenario measured. */
export interface ScenarioFigures extends ScenarioTallies {
  readonly scenario: string;
  /** Bans the admin API confirmed (200). */
  readonly attempted: number;
  /** Confirmed bans every instance answered 401 `TOKEN_REVOKED` for before the deadline, and still did at the end. */
  readonly enforced: number;
  /** `attempted - enforced`. */
  readonly lost: number;
  /** The longest time among enforced bans from the ban's 200 until the last instance answered 401; undefined without any. */
  readonly longestWindowMs: number | undefined;
  /** The longest time from a ban's 200 until the stream stored its event; undefined when none was found. */
  readonly longestUnpublishedMs: number | undefined;
  /**
   * `/readyz` 200 answers of an instance while it was seen accepting a token whose ban had been in
   * the stream for more than {@link LIE_GAP_MS} (counted from the ban's 200 when the event is not in the stream).
   */
  readonly lies: number;
  /** Scenarios with a Shared Signals receiver only: what it received (also in `notes`). */
  readonly sets?: SetDeliveryFigures;
}

/**
 * Counts enforced and lost bans, the longest unenforced window and the readiness lies.
 *
 * @param instances - the names of every tickets instance a ban must be enforced on
 * @example
 * const figures = scenarioFigures('nats restart', ledger.bans, ['tickets-1', 'tickets-2'], sampler.ready, storedAt, tallies);
 */
export function scenarioFigures(
  scenario: string,
  bans: readonly BanRecord[],
  instances: readonly string[],
  ready: readonly ReadySample[],
  storedAt: (eventId: string) => number | undefined,
  tallies: ScenarioTallies,
): ScenarioFigures {
  let enforced = 0;
  let longestWindowMs: number | undefined;
  for (const ban of bans) {
    const times = instances.map((name) => ban.enforcedAt.get(name));
    if (ban.unenforcedAtEnd.size > 0 || times.some((at) => at === undefined)) continue;
    enforced += 1;
    const windowMs = Math.max(...(times as number[])) - ban.bannedAt;
    longestWindowMs = Math.max(longestWindowMs ?? 0, windowMs);
  }
  let longestUnpublishedMs: number | undefined;
  // Conservative both ways: the ready answer surely came after the ban had been in the stream for
  // 2 s and surely before the instance accepted the banned token. An instance can only vouch for
  // what reached the stream (a ban in a crashed auth's outbox is in nobody's stream yet); that delay
  // is the separate `longestUnpublishedMs`.
  const lying = new Set<ReadySample>();
  for (const ban of bans) {
    const seenAt = ban.eventId === undefined ? undefined : storedAt(ban.eventId);
    if (seenAt !== undefined) longestUnpublishedMs = Math.max(longestUnpublishedMs ?? 0, seenAt - ban.bannedAt);
    const onBusSince = Math.max(ban.bannedAt, seenAt ?? ban.bannedAt);
    for (const sample of ready) {
      const lastAccepted = ban.lastAcceptedAt.get(sample.instance);
      if (lastAccepted !== undefined && sample.sentAt > onBusSince + LIE_GAP_MS && sample.receivedAt <= lastAccepted) lying.add(sample);
    }
  }
  return { scenario, attempted: bans.length, enforced, lost: bans.length - enforced, longestWindowMs, longestUnpublishedMs, lies: lying.size, ...tallies };
}

/**
 * Whether a scenario went as it must: some bans made, none lost, no readiness lie, no ban
 * forgotten by a restarted instance, no valid token refused; with a SET receiver, every ban
 * has its SET, with one jti, and none was refused.
 *
 * @example
 * if (!scenarioHeld(figures)) console.log(figures.processOutput);
 */
export function scenarioHeld(figures: ScenarioFigures): boolean {
  return (
    figures.attempted > 0 &&
    figures.lost === 0 &&
    figures.lies === 0 &&
    figures.forgotten === 0 &&
    figures.wronglyRefused === 0 &&
    (figures.sets === undefined || (figures.sets.lost === 0 && figures.sets.bansWithSeveralJtis === 0 && figures.sets.refused === 0))
  );
}

/**
 * The figures as a markdown table, one row per scenario.
 *
 * @example
 * console.log(figuresTable([figures]));
 */
export function figuresTable(rows: readonly ScenarioFigures[]): string {
  const header = [
    'scenario',
    'bans attempted',
    'enforced',
    'lost',
    'longest unenforced window (ms)',
    'longest ban → stored in the stream (ms)',
    'ready during a gap > 2 s',
    'forgotten after restart',
    'valid tokens refused',
    'run (s)',
    'notes',
  ];
  const lines = rows.map((row) => [
    row.scenario,
    String(row.attempted),
    String(row.enforced),
    String(row.lost),
    row.longestWindowMs === undefined ? '-' : row.longestWindowMs.toFixed(0),
    row.longestUnpublishedMs === undefined ? '-' : row.longestUnpublishedMs.toFixed(0),
    row.lies > 0 ? `LIE (${row.lies} samples)` : 'no',
    String(row.forgotten),
    String(row.wronglyRefused),
    (row.durationMs / 1000).toFixed(1),
    [row.banRequestsFailed > 0 ? `${row.banRequestsFailed} ban requests failed` : '', ...row.notes].filter(Boolean).join('; ').replace(/\|/g, '/'),
  ]);
  return [header, header.map(() => '---'), ...lines].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}
