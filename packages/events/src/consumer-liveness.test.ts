import { ConsumerLiveness } from './consumer-liveness';

function setUp() {
  const time = { now: 1_000_000 };
  const liveness = new ConsumerLiveness({ idleHeartbeatMs: 5_000, missedHeartbeats: 2, clock: () => time.now });
  return { time, liveness };
}

describe('ConsumerLiveness', () => {
  it('counts a waiting consumer silent for two heartbeat intervals as lost, and reports for how long', () => {
    const { time, liveness } = setUp();
    liveness.waiting();

    time.now += 9_999;
    expect(liveness.silentFor()).toBeUndefined();
    time.now += 1;
    expect(liveness.silentFor()).toBe(10_000);
  });

  it('starts counting again at every heartbeat or message', () => {
    const { time, liveness } = setUp();
    liveness.waiting();
    time.now += 9_000;

    liveness.sign();
    time.now += 9_000;

    expect(liveness.silentFor()).toBeUndefined();
    time.now += 1_000;
    expect(liveness.silentFor()).toBe(10_000);
  });

  it('does not count silence while the iteration is busy or has not started, only from when it waits', () => {
    const { time, liveness } = setUp();
    time.now += 60_000;
    expect(liveness.silentFor()).toBeUndefined();

    liveness.waiting();
    liveness.busy();
    time.now += 60_000;
    expect(liveness.silentFor()).toBeUndefined();

    liveness.waiting();
    time.now += 9_999;
    expect(liveness.silentFor()).toBeUndefined();
    time.now += 1;
    expect(liveness.silentFor()).toBe(10_000);
  });

  it('keeps the time the iteration started waiting when told again', () => {
    const { time, liveness } = setUp();
    liveness.waiting();
    time.now += 6_000;
    liveness.waiting();
    time.now += 4_000;
    expect(liveness.silentFor()).toBe(10_000);
  });

  it('does not count silence while disconnected, and gives the client two intervals after a reconnect', () => {
    const { time, liveness } = setUp();
    liveness.waiting();
    liveness.disconnected();
    time.now += 60_000;
    expect(liveness.silentFor()).toBeUndefined();

    liveness.reconnected();
    time.now += 9_999;
    expect(liveness.silentFor()).toBeUndefined();
    time.now += 1;
    expect(liveness.silentFor()).toBe(10_000);
  });
});
