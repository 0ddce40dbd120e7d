import { appliedRevocations, committedEvents, sentEvents } from './applied-revocations';

describe('appliedRevocations', () => {
  it('keeps the applied lines by event id and skips everything else', () => {
    const output = [
      '{"level":30,"msg":"tickets service listening","port":1}',
      '{"level":20,"eventId":"e1","type":"user.banned","seq":1,"lagMs":3,"appliedAt":1764061200000.25,"live":true,"changed":true,"msg":"revocation applied"}',
      'not json but mentions "revocation applied"',
      '{"level":20,"eventId":"e2","lagMs":0,"appliedAt":1764061200001,"live":false,"msg":"revocation applied"}',
      '',
    ].join('\n');
    const applied = appliedRevocations(output);
    expect([...applied.keys()]).toEqual(['e1', 'e2']);
    expect(applied.get('e1')).toEqual({ eventId: 'e1', lagMs: 3, appliedAt: 1764061200000.25, live: true });
    expect(applied.get('e2')?.live).toBe(false);
  });

  it('counts the first application of an event applied twice', () => {
    const output = [
      '{"eventId":"e1","lagMs":2,"appliedAt":2,"live":true,"msg":"revocation applied"}',
      '{"eventId":"e1","lagMs":900,"appliedAt":900,"live":true,"msg":"revocation applied"}',
    ].join('\n');
    expect(appliedRevocations(output).get('e1')?.lagMs).toBe(2);
  });

  it('skips lines without an apply time', () => {
    expect(appliedRevocations('{"eventId":"e1","lagMs":2,"live":true,"msg":"revocation applied"}').size).toBe(0);
  });
});

describe('committedEvents', () => {
  it('gives every event of a committed line its commit time, the first line winning', () => {
    const output = [
      '{"level":30,"msg":"auth service listening"}',
      '{"level":20,"eventIds":["e1","e2"],"committedAt":1764061200000.5,"msg":"outbox events committed"}',
      '{"level":20,"eventIds":["e1"],"committedAt":1764061209999,"msg":"outbox events committed"}',
      '{"level":20,"eventIds":"e3","committedAt":1,"msg":"outbox events committed"}',
    ].join('\n');
    expect([...committedEvents(output)]).toEqual([
      ['e1', 1764061200000.5],
      ['e2', 1764061200000.5],
    ]);
  });
});

describe('sentEvents', () => {
  it('gives each event the time the relay handed it to the NATS client, the first line winning', () => {
    const output = [
      '{"level":20,"eventId":"e1","sentAt":1764061200001.5,"msg":"outbox event sent"}',
      '{"level":20,"eventId":"e1","sentAt":1764061209999,"msg":"outbox event sent"}',
      '{"level":20,"eventId":"e2","msg":"outbox event sent"}',
    ].join('\n');
    expect([...sentEvents(output)]).toEqual([['e1', 1764061200001.5]]);
  });
});
