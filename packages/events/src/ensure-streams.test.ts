import { jetstreamManager, type JetStreamManager, StorageType } from '@nats-io/jetstream';
import { DEFAULT_MAX_AGE_MS, DUPLICATE_WINDOW_MS, ensureStreams } from './ensure-streams';
import { useNatsServer } from './test-support/nats-suite';
import { uniqueNames } from './test-support/unique-names';

const MS = 1_000_000;

describe('ensureStreams', () => {
  const nats = useNatsServer();
  let jsm: JetStreamManager;

  beforeAll(async () => {
    jsm = await jetstreamManager(nats.nc);
  });

  function streamOptions() {
    const { service: _service, ...options } = uniqueNames();
    return options;
  }

  it('creates the event stream and the dead-letter stream with file storage and a 2-minute duplicate window', async () => {
    const options = streamOptions();
    await ensureStreams(nats.nc, options);

    const events = await jsm.streams.info(options.name);
    expect(events.config).toEqual(
      expect.objectContaining({
        subjects: [`${options.subjectPrefix}.>`],
        storage: StorageType.File,
        max_age: DEFAULT_MAX_AGE_MS * MS,
        duplicate_window: DUPLICATE_WINDOW_MS * MS,
        num_replicas: 1,
      }),
    );
    const deadLetters = await jsm.streams.info(options.deadLetterStream);
    expect(deadLetters.config.subjects).toEqual([`${options.deadLetterPrefix}.>`]);
  });

  it('is idempotent and keeps stored events when called again', async () => {
    const options = streamOptions();
    await ensureStreams(nats.nc, options);
    await jsm.jetstream().publish(`${options.subjectPrefix}.user.unbanned`, '{}');

    await ensureStreams(nats.nc, options);
    await Promise.all([ensureStreams(nats.nc, options), ensureStreams(nats.nc, options)]);

    expect((await jsm.streams.info(options.name)).state.messages).toBe(1);
  });

  it('updates max_age of an existing stream', async () => {
    const options = streamOptions();
    await ensureStreams(nats.nc, options);
    await ensureStreams(nats.nc, { ...options, maxAgeMs: 60 * 60 * 1000 });

    expect((await jsm.streams.info(options.name)).config.max_age).toBe(60 * 60 * 1000 * MS);
    expect((await jsm.streams.info(options.deadLetterStream)).config.max_age).toBe(60 * 60 * 1000 * MS);
  });

  it.each([
    ['a stream name with a dot', { name: 'A.B' }],
    ['a wildcard prefix', { subjectPrefix: 'auth.*' }],
    ['a dead-letter prefix inside the event space', { subjectPrefix: 'veto', deadLetterPrefix: 'veto.dlq' }],
    ['a max age shorter than the duplicate window', { maxAgeMs: 1000 }],
    ['zero replicas', { replicas: 0 }],
  ])('throws TypeError for %s', async (_label, options) => {
    await expect(ensureStreams(nats.nc, options)).rejects.toThrow(TypeError);
  });

  it('reports STREAM_SETUP_FAILED when the server refuses the configuration', async () => {
    const options = streamOptions();
    await ensureStreams(nats.nc, options);
    // A second stream may not capture the subjects the first one already holds.
    await expect(ensureStreams(nats.nc, { ...options, name: `${options.name}_OTHER`, deadLetterStream: `${options.deadLetterStream}_OTHER` })).rejects.toMatchObject({
      code: 'STREAM_SETUP_FAILED',
    });
  });
});
