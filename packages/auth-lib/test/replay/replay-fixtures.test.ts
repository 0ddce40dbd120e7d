import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startNatsServer, type NatsServerHandle } from '@veto/events/testing';
import { loadFixtureExpectations } from './fixture-expectations';
import { FIXTURES_DIR, listFixtures, replayFixture } from './replay-fixture';

const names = listFixtures();

let server: NatsServerHandle;
beforeAll(async () => {
  server = await startNatsServer();
});
afterAll(() => server.cleanup());

it('finds every fixture the issue asks for, each with its events file', () => {
  expect(names).toEqual(
    expect.arrayContaining([
      'ban',
      'ban-unban-sign-in',
      'revoke-all-sessions',
      'single-session-sign-out',
      'duplicate-events',
      'out-of-order',
      'malformed-and-unknown-version',
      'older-than-token-lifetime',
    ]),
  );
  const files = readdirSync(FIXTURES_DIR);
  for (const name of names) expect(files).toContain(`${name}.events.jsonl`);
});

describe.each(names)('replayed fixture %s', (name) => {
  it('gives every expected decision from a feed started from scratch', async () => {
    const expectations = await loadFixtureExpectations(join(FIXTURES_DIR, `${name}.expect.json`));
    const outcome = await replayFixture(name, { server });

    expect(outcome.checks.map(({ name: check, actual }) => [check, actual])).toEqual(expectations.checks.map((check) => [check.name, check.expect]));
    const { stats } = expectations;
    if (stats?.duplicates !== undefined) expect(outcome.published.duplicates).toBe(stats.duplicates);
    if (stats?.applied !== undefined) expect(outcome.feed.applied).toBe(stats.applied);
    if (stats?.malformed !== undefined) expect(outcome.feed.malformed).toBe(stats.malformed);
    if (stats?.cacheSize !== undefined) expect(outcome.cacheSize).toBe(stats.cacheSize);
  });
});
