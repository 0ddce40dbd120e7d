import { appliedRevocations } from './applied-revocations';

describe('appliedRevocations', () => {
  it('keeps the applied lines by event id and skips everything else', () => {
    const output = [
      '{"level":30,"msg":"tickets service listening","port":1}',
      '{"level":20,"eventId":"e1","type":"user.banned","seq":1,"lagMs":3,"live":true,"changed":true,"msg":"revocation applied"}',
      'not json but mentions "revocation applied"',
      '{"level":20,"eventId":"e2","lagMs":0,"live":false,"msg":"revocation applied"}',
      '',
    ].join('\n');
    const applied = appliedRevocations(output);
    expect([...applied.keys()]).toEqual(['e1', 'e2']);
    expect(applied.get('e1')).toEqual({ eventId: 'e1', lagMs: 3, live: true });
    expect(applied.get('e2')?.live).toBe(false);
  });

  it('counts the first application of an event applied twice', () => {
    const output = [
      '{"eventId":"e1","lagMs":2,"live":true,"msg":"revocation applied"}',
      '{"eventId":"e1","lagMs":900,"live":true,"msg":"revocation applied"}',
    ].join('\n');
    expect(appliedRevocations(output).get('e1')?.lagMs).toBe(2);
  });
});
