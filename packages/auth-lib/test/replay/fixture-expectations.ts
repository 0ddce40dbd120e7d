import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { TOKEN_ERROR_CODES, numericDateToMs } from '@veto/auth-lib';

const isoTime = z.iso.datetime({ precision: 3 });

/** A token's `iat`: an ISO time with milliseconds, or a NumericDate (seconds, fraction allowed). */
const issuedAt = z.union([isoTime.transform((iso) => Date.parse(iso)), z.number().finite().nonnegative().transform(numericDateToMs)]);

const checkSchema = z.strictObject({
  name: z.string().min(1),
  token: z.strictObject({ sub: z.string().min(1), sid: z.string().min(1), iat: issuedAt }),
  /** When the check runs (the verifier's clock); the fixture's `now` when omitted. */
  at: isoTime.optional(),
  /** `accept`, or the TokenError code the verifier must throw. */
  expect: z.enum(['accept', ...TOKEN_ERROR_CODES]),
});

/** The `<name>.expect.json` half of a replay fixture; see test/replay/README.md. */
export const fixtureExpectationsSchema = z.strictObject({
  description: z.string().optional(),
  /** The injected clock while the feed starts and replays. */
  now: isoTime,
  accessTokenTtlSeconds: z.number().positive(),
  clockSkewSeconds: z.number().nonnegative(),
  checks: z.array(checkSchema).min(1),
  /** Optional counters of the replay to assert as well. */
  stats: z
    .strictObject({
      duplicates: z.number().int().optional(),
      applied: z.number().int().optional(),
      malformed: z.number().int().optional(),
      cacheSize: z.number().int().optional(),
    })
    .optional(),
});

/** A parsed `<name>.expect.json`: times are milliseconds since the epoch. */
export type FixtureExpectations = z.output<typeof fixtureExpectationsSchema>;
/** One expected decision. */
export type FixtureCheck = FixtureExpectations['checks'][number];

/**
 * Reads and validates a fixture's expectations.
 *
 * @param file - path of `<name>.expect.json`
 * @throws Error naming the file when it is not JSON or does not match the schema
 * @example
 * const expectations = await loadFixtureExpectations('fixtures/ban.expect.json');
 */
export async function loadFixtureExpectations(file: string): Promise<FixtureExpectations> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (cause) {
    throw new Error(`${file} is not readable JSON: ${(cause as Error).message}`, { cause });
  }
  const parsed = fixtureExpectationsSchema.safeParse(json);
  if (!parsed.success) throw new Error(`${file} does not match the fixture schema: ${z.prettifyError(parsed.error)}`, { cause: parsed.error });
  return parsed.data;
}
