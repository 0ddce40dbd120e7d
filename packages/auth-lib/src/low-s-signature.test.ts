import jwt from 'jsonwebtoken';
import { complementS, isHighS, toLowS } from './low-s-signature';
import { signTestToken, TEST_KEY_PAIR, toHighS } from './testing';

const signatureOf = (token: string) => Buffer.from(token.split('.')[2] ?? '', 'base64url');
const verifies = (token: string) => {
  jwt.verify(token, TEST_KEY_PAIR.publicKey, { algorithms: ['ES256'], ignoreExpiration: true });
  return true;
};

describe('low-S signatures', () => {
  it('leaves a low-S token unchanged', () => {
    const token = signTestToken();
    expect(isHighS(signatureOf(token))).toBe(false);
    expect(toLowS(token)).toBe(token);
  });

  it('turns the high-S twin back into the low-S token, valid for the same key', () => {
    const token = signTestToken();
    const highS = toHighS(token);
    expect(isHighS(signatureOf(highS))).toBe(true);
    expect(verifies(highS)).toBe(true);
    expect(toLowS(highS)).toBe(token);
    expect(verifies(toLowS(highS))).toBe(true);
  });

  it('is its own inverse on a signature and keeps r', () => {
    const signature = signatureOf(signTestToken());
    expect(complementS(complementS(signature))).toEqual(signature);
    expect(complementS(signature).subarray(0, 32)).toEqual(signature.subarray(0, 32));
  });

  it('throws TypeError for something that is not an ES256 compact JWS', () => {
    expect(() => toLowS('a.b')).toThrow(TypeError);
    expect(() => toLowS(`a.b.${Buffer.from('short').toString('base64url')}`)).toThrow(TypeError);
    expect(() => isHighS(new Uint8Array(63))).toThrow(TypeError);
  });
});
