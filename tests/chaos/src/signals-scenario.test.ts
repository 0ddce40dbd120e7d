import { ACCOUNT_DISABLED, setDeliveryFigures } from './signals-scenario';
import type { ReceivedSet } from './set-receiver';

const set = (jti: string, sub: string, receivedAt: number, eventType = ACCOUNT_DISABLED): ReceivedSet => ({ jti, sub, eventType, txn: undefined, receivedAt });

describe('setDeliveryFigures', () => {
  it('counts a ban without a SET as lost, a jti received twice as a duplicate, and the longest ban → first SET', () => {
    const bans = [
      { userId: 'a', bannedAt: 100 },
      { userId: 'b', bannedAt: 100 },
      { userId: 'c', bannedAt: 100 },
    ];
    const figures = setDeliveryFigures(bans, [set('ja', 'a', 150), set('jb', 'b', 400), set('jb', 'b', 900)], 0);
    expect(figures).toEqual({ bans: 3, received: 3, lost: 1, duplicates: 1, bansWithSeveralJtis: 0, longestBanToSetMs: 300, refused: 0 });
  });

  it('counts a ban whose SETs carry two jtis, and ignores other event types', () => {
    const figures = setDeliveryFigures([{ userId: 'a', bannedAt: 0 }], [set('j1', 'a', 10), set('j2', 'a', 20), set('j3', 'a', 5, 'other')], 0);
    expect(figures).toMatchObject({ received: 2, lost: 0, duplicates: 0, bansWithSeveralJtis: 1, longestBanToSetMs: 10 });
  });
});
