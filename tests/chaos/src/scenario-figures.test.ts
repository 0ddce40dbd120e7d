import type { BanRecord } from './ban-ledger';
import { scenarioFigures, scenarioHeld, type ScenarioTallies, type SetDeliveryFigures } from './scenario-figures';

const TALLIES: ScenarioTallies = { banRequestsFailed: 0, forgotten: 0, wronglyRefused: 0, readinessSamples: 0, durationMs: 0, notes: [], processOutput: '' };

const NOT_SEEN = (): number | undefined => undefined;

function ban(bannedAt: number, enforcedAt: Record<string, number>, lastAcceptedAt: Record<string, number> = {}, unenforcedAtEnd: string[] = []): BanRecord {
  return {
    userId: 'u',
    eventId: 'e',
    token: 't',
    bannedAt,
    enforcedAt: new Map(Object.entries(enforcedAt)),
    lastAcceptedAt: new Map(Object.entries(lastAcceptedAt)),
    unenforcedAtEnd: new Set(unenforcedAtEnd),
  };
}

describe('scenarioFigures', () => {
  it('counts a ban enforced on every instance, with the window until the last one', () => {
    const figures = scenarioFigures('s', [ban(1_000, { a: 1_010, b: 1_300 })], ['a', 'b'], [], NOT_SEEN, TALLIES);
    expect(figures).toMatchObject({ attempted: 1, enforced: 1, lost: 0, longestWindowMs: 300, lies: 0 });
  });

  it('counts as lost a ban one instance never refused, and one an instance accepted again at the end', () => {
    const bans = [ban(0, { a: 10 }), ban(0, { a: 10, b: 20 }, {}, ['b'])];
    expect(scenarioFigures('s', bans, ['a', 'b'], [], NOT_SEEN, TALLIES)).toMatchObject({ attempted: 2, enforced: 0, lost: 2, longestWindowMs: undefined });
  });

  it('calls a ready answer a lie only when it surely came after the ban was 2 s old and before the instance accepted the token', () => {
    const bans = [ban(0, { a: 9_000 }, { a: 8_000 })];
    const ready = [
      { instance: 'a', sentAt: 1_500, receivedAt: 1_600 }, // the ban was not 2 s old yet
      { instance: 'a', sentAt: 3_000, receivedAt: 3_010 }, // a lie
      { instance: 'b', sentAt: 3_000, receivedAt: 3_010 }, // another instance, which enforced at once
      { instance: 'a', sentAt: 7_995, receivedAt: 8_005 }, // may have answered after the last acceptance
    ];
    expect(scenarioFigures('s', bans, ['a'], ready, NOT_SEEN, TALLIES).lies).toBe(1);
  });

  it('counts the 2 s from when the ban was stored in the stream, and reports how long that took', () => {
    const bans = [ban(0, { a: 9_000 }, { a: 8_000 })];
    const storedAt = (eventId: string) => (eventId === 'e' ? 4_000 : undefined);
    const ready = [
      { instance: 'a', sentAt: 3_000, receivedAt: 3_010 }, // the ban was still in the outbox: nobody could know
      { instance: 'a', sentAt: 5_500, receivedAt: 5_510 }, // in the stream for 1.5 s
      { instance: 'a', sentAt: 6_500, receivedAt: 6_510 }, // in the stream for 2.5 s: a lie
    ];
    expect(scenarioFigures('s', bans, ['a'], ready, storedAt, TALLIES)).toMatchObject({ lies: 1, longestUnpublishedMs: 4_000 });
  });
});

describe('scenarioHeld with a SET receiver', () => {
  const held = scenarioFigures('s', [ban(0, { a: 10 })], ['a'], [], NOT_SEEN, TALLIES);
  const sets: SetDeliveryFigures = { bans: 1, received: 2, lost: 0, duplicates: 1, bansWithSeveralJtis: 0, longestBanToSetMs: 50, refused: 0 };

  it('holds with every ban delivered once or more under one jti', () => {
    expect(scenarioHeld({ ...held, sets })).toBe(true);
  });

  it.each([{ lost: 1 }, { bansWithSeveralJtis: 1 }, { refused: 1 }])('fails with %j', (change) => {
    expect(scenarioHeld({ ...held, sets: { ...sets, ...change } })).toBe(false);
  });
});
