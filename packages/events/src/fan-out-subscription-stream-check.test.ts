import { StreamCheck } from './fan-out-subscription-stream-check';

const CREATED = '2026-12-01T06:00:00.000000000Z';

describe('StreamCheck', () => {
  it('sees no reset in the same stream, however far it grew', () => {
    const check = new StreamCheck({ created: CREATED, lastSeq: 10 });
    expect(check.resetCause({ created: CREATED, lastSeq: 10 }, 10)).toBeUndefined();
    expect(check.resetCause({ created: CREATED, lastSeq: 500 }, 10)).toBeUndefined();
  });

  it('sees a recreated stream by its creation time, even when it already holds more messages than the position', () => {
    const check = new StreamCheck({ created: CREATED, lastSeq: 10 });
    expect(check.resetCause({ created: '2026-12-01T07:00:00Z', lastSeq: 2_000 }, 10)).toBe('recreated');
  });

  it('sees a stream whose last sequence is below the position as another stream', () => {
    const check = new StreamCheck({ created: CREATED, lastSeq: 1_063 });
    expect(check.resetCause({ created: CREATED, lastSeq: 1 }, 1_063)).toBe('behind-position');
  });

  it('follows the adopted stream and forgets the old lag', () => {
    const check = new StreamCheck({ created: CREATED, lastSeq: 10 });
    check.observe(12, 10, 1_000);
    check.adopt({ created: 'new', lastSeq: 1 });
    expect(check.behindSince).toBeUndefined();
    expect(check.streamLastSeq).toBe(1);
    expect(check.resetCause({ created: 'new', lastSeq: 1 }, 1)).toBeUndefined();
  });

  it('is behind from the first check that saw an unhandled message until that message is handled', () => {
    const check = new StreamCheck({ created: CREATED, lastSeq: 0 });
    check.observe(5, 5, 1_000);
    expect(check.behindSince).toBeUndefined();
    check.observe(7, 5, 2_000);
    expect(check.behindSince).toBe(2_000);
    // A later check while still behind keeps the first time: the lag is not reset by new arrivals.
    check.observe(9, 6, 3_000);
    expect(check.behindSince).toBe(2_000);
    check.handled(7);
    expect(check.behindSince).toBeUndefined();
    check.observe(9, 7, 4_000);
    expect(check.behindSince).toBe(4_000);
    check.observe(9, 9, 5_000);
    expect(check.behindSince).toBeUndefined();
    expect(check.streamLastSeq).toBe(9);
  });
});
