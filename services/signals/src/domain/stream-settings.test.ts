import { SECURITY_EVENT_TYPES } from './security-event-types';
import { eventsDelivered, pollEndpointUrl } from './stream-configuration';
import { checkReadOnlyMembers, resolveStreamSettings, type StreamSettings } from './stream-settings';

const context = { issuer: 'https://signals.example.com/', env: 'production', streamId: '5f0c6a4e-0000-4000-8000-000000000001' } as const;
const PUSH = 'urn:ietf:rfc:8935';
const POLL = 'urn:ietf:rfc:8936';

describe('eventsDelivered', () => {
  it('keeps the supported requested types, once each, in the order of events_supported', () => {
    const requested = [
      SECURITY_EVENT_TYPES.sessionRevoked,
      'urn:example:other',
      SECURITY_EVENT_TYPES.accountDisabled,
      SECURITY_EVENT_TYPES.sessionRevoked,
      SECURITY_EVENT_TYPES.verification,
    ];
    expect(eventsDelivered(requested)).toEqual([SECURITY_EVENT_TYPES.accountDisabled, SECURITY_EVENT_TYPES.sessionRevoked]);
  });
});

describe('pollEndpointUrl', () => {
  it('appends /ssf/poll/<stream id> to the issuer without doubling its trailing slash', () => {
    expect(pollEndpointUrl('https://signals.example.com/tenant1/', 'abc')).toBe('https://signals.example.com/tenant1/ssf/poll/abc');
  });
});

describe('resolveStreamSettings', () => {
  it('defaults to a poll stream with nothing requested, iss_sub subjects and no description', () => {
    expect(resolveStreamSettings({}, undefined, context)).toEqual({
      eventsRequested: [],
      eventsDelivered: [],
      deliveryMethod: POLL,
      endpointUrl: `https://signals.example.com/ssf/poll/${context.streamId}`,
      authorizationHeader: null,
      subjectFormat: 'iss_sub',
      description: null,
    });
  });

  it('keeps the base for absent members (PATCH), a given delivery replacing the whole delivery', () => {
    const base: StreamSettings = {
      eventsRequested: [SECURITY_EVENT_TYPES.accountEnabled],
      eventsDelivered: [SECURITY_EVENT_TYPES.accountEnabled],
      deliveryMethod: PUSH,
      endpointUrl: 'https://receiver.example.com/events',
      authorizationHeader: 'Bearer x',
      subjectFormat: 'email',
      description: 'kept',
    };
    expect(resolveStreamSettings({}, base, context)).toEqual(base);
    expect(resolveStreamSettings({ delivery: { method: PUSH, endpoint_url: 'https://receiver.example.com/v2' } }, base, context)).toEqual({
      ...base,
      endpointUrl: 'https://receiver.example.com/v2',
      authorizationHeader: null,
    });
  });

  it.each([
    [{ method: PUSH, endpoint_url: 'http://receiver.example.com/' }, 'production'],
    [{ method: PUSH, endpoint_url: 'ftp://receiver.example.com/' }, 'local'],
    [{ method: PUSH, endpoint_url: 'https://receiver.example.com/#frag' }, 'production'],
    [{ method: PUSH }, 'production'],
  ] as const)('refuses the push delivery %j in %s mode with STREAM_DELIVERY_INVALID', (delivery, env) => {
    expect(() => resolveStreamSettings({ delivery }, undefined, { ...context, env })).toThrow(expect.objectContaining({ code: 'STREAM_DELIVERY_INVALID' }));
  });

  it('accepts an http push endpoint in local mode only', () => {
    expect(resolveStreamSettings({ delivery: { method: PUSH, endpoint_url: 'http://localhost:9000/' } }, undefined, { ...context, env: 'local' }).endpointUrl).toBe(
      'http://localhost:9000/',
    );
  });
});

describe('checkReadOnlyMembers', () => {
  const current = {
    stream_id: context.streamId,
    iss: context.issuer,
    aud: 'receiver-1',
    events_supported: [],
    events_requested: [],
    events_delivered: [],
    delivery: { method: POLL, endpoint_url: 'x' },
    min_verification_interval: 30,
    format: 'iss_sub',
  } as const;

  it('lets unchanged members through on an update, and refuses a changed one', () => {
    expect(() => checkReadOnlyMembers({ iss: context.issuer, aud: 'receiver-1', min_verification_interval: 30 }, current)).not.toThrow();
    expect(() => checkReadOnlyMembers({ aud: ['receiver-1'] }, current)).toThrow(expect.objectContaining({ code: 'STREAM_READ_ONLY_FIELD' }));
  });

  it('refuses any of them on creation', () => {
    expect(() => checkReadOnlyMembers({ inactivity_timeout: 60 }, undefined)).toThrow(expect.objectContaining({ code: 'STREAM_READ_ONLY_FIELD' }));
  });
});
