import { PendingSignal } from './pending-signal';

describe('PendingSignal', () => {
  it('wakes the waiters of the notified stream only', async () => {
    const pending = new PendingSignal();
    const a = pending.wait('a', 60_000);
    const b = pending.wait('b', 50);
    pending.notify('a');
    await expect(a).resolves.toBe(true);
    await expect(b).resolves.toBe(false);
  });

  it('ends a wait on timeout and on abort, and a later notify finds nobody', async () => {
    const pending = new PendingSignal();
    await expect(pending.wait('a', 1)).resolves.toBe(false);
    const abort = new AbortController();
    const aborted = pending.wait('a', 60_000, abort.signal);
    abort.abort();
    await expect(aborted).resolves.toBe(false);
    expect(() => pending.notify('a')).not.toThrow();
    abort.abort();
    await expect(pending.wait('a', 60_000, abort.signal)).resolves.toBe(false);
  });
});
