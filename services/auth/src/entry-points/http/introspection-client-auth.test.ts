import fc from 'fast-check';
import { createClientCheck, formUrlDecode, readClientCredentials } from './introspection-client-auth';

const codeOf = (run: () => unknown): string | undefined => {
  try {
    run();
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
};
const basic = (userPass: string) => `Basic ${Buffer.from(userPass).toString('base64')}`;
/** The application/x-www-form-urlencoded form of a value (WHATWG URLSearchParams). */
const formUrlEncode = (value: string): string => new URLSearchParams({ v: value }).toString().slice(2);
/** oauth4webapi's encoding for client_secret_basic: encodeURIComponent, and its unreserved marks %-encoded too. */
const oauth4webapiEncode = (value: string): string =>
  encodeURIComponent(value).replace(/(?:[-_.!~*'()]|%20)/g, (mark) => (mark === '%20' ? '+' : `%${mark.charCodeAt(0).toString(16).toUpperCase()}`));

describe('formUrlDecode', () => {
  it('reads "+" as a space and %XX as UTF-8 bytes', () => {
    expect(formUrlDecode('a+b%2Bc%25d%3Ae%2D%C3%BC')).toBe('a b+c%d:e-ü');
  });

  it.each(['%', '%zz', '100%', '%C3', '%FF'])('refuses the malformed %s', (value) => {
    expect(formUrlDecode(value)).toBeUndefined();
  });

  it('undoes the form-urlencoding of URLSearchParams and of oauth4webapi for any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        expect(formUrlDecode(formUrlEncode(text))).toBe(text);
        expect(formUrlDecode(oauth4webapiEncode(text))).toBe(text);
      }),
    );
  });
});

describe('readClientCredentials', () => {
  it('splits Basic at the first ":" and decodes both parts', () => {
    expect(readClientCredentials(basic('rs%3A1:se%3Acret+x'), {})).toEqual({ method: 'client_secret_basic', clientId: 'rs:1', secret: 'se:cret x' });
    expect(readClientCredentials(basic('rs:a:b'), {})).toEqual({ method: 'client_secret_basic', clientId: 'rs', secret: 'a:b' });
  });

  it('reads client_secret_post and Bearer, and nothing when nothing is presented', () => {
    expect(readClientCredentials(undefined, { client_id: 'rs', client_secret: 'a+b' })).toEqual({ method: 'client_secret_post', clientId: 'rs', secret: 'a+b' });
    expect(readClientCredentials('Bearer s3cret', {})).toEqual({ method: 'bearer', secret: 's3cret' });
    expect(readClientCredentials(undefined, { client_id: 'rs' })).toBeUndefined();
  });

  it.each([
    ['not Base64', 'Basic !!!'],
    ['without ":"', basic('no-colon')],
    ['malformed percent-encoding', basic('rs:100%')],
    ['not UTF-8', `Basic ${Buffer.from([0x72, 0x3a, 0xc3]).toString('base64')}`],
    ['another scheme', 'Digest x'],
  ])('refuses a credential %s with INTROSPECTION_UNAUTHORIZED', (_case, authorization) => {
    expect(codeOf(() => readClientCredentials(authorization, {}))).toBe('INTROSPECTION_UNAUTHORIZED');
  });

  it('refuses two methods at once, a client_id that contradicts Basic, and client_secret alone with VALIDATION_FAILED', () => {
    expect(codeOf(() => readClientCredentials(basic('rs:s'), { client_secret: 's' }))).toBe('VALIDATION_FAILED');
    expect(codeOf(() => readClientCredentials('Bearer s', { client_secret: 's' }))).toBe('VALIDATION_FAILED');
    expect(codeOf(() => readClientCredentials(basic('rs:s'), { client_id: 'other' }))).toBe('VALIDATION_FAILED');
    expect(codeOf(() => readClientCredentials(undefined, { client_secret: 's' }))).toBe('VALIDATION_FAILED');
  });
});

describe('createClientCheck', () => {
  const anyId = createClientCheck({ clientId: undefined, clientSecret: 'the-secret' });
  const oneId = createClientCheck({ clientId: 'rs', clientSecret: 'the-secret' });

  it('accepts the secret with any client id, or as Bearer, while no client id is configured', () => {
    expect(codeOf(() => anyId({ method: 'client_secret_basic', clientId: 'whoever', secret: 'the-secret' }))).toBeUndefined();
    expect(codeOf(() => anyId({ method: 'bearer', secret: 'the-secret' }))).toBeUndefined();
  });

  it('requires the configured client id, and refuses Bearer, once one is configured', () => {
    expect(codeOf(() => oneId({ method: 'client_secret_post', clientId: 'rs', secret: 'the-secret' }))).toBeUndefined();
    expect(codeOf(() => oneId({ method: 'client_secret_post', clientId: 'other', secret: 'the-secret' }))).toBe('INTROSPECTION_UNAUTHORIZED');
    expect(codeOf(() => oneId({ method: 'bearer', secret: 'the-secret' }))).toBe('INTROSPECTION_UNAUTHORIZED');
  });

  it('refuses a wrong secret and no credentials', () => {
    expect(codeOf(() => anyId({ method: 'client_secret_basic', clientId: 'rs', secret: 'the-secret ' }))).toBe('INTROSPECTION_UNAUTHORIZED');
    expect(codeOf(() => anyId(undefined))).toBe('INTROSPECTION_UNAUTHORIZED');
  });
});
