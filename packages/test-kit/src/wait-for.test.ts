import { waitFor } from './wait-for';

it('resolves once the condition holds', async () => {
  let polls = 0;
  await waitFor('the third poll', () => ++polls >= 3);
  expect(polls).toBe(3);
});

it('fails with the description when the condition never holds', async () => {
  await expect(waitFor('a ban to arrive', async () => false, 0)).rejects.toThrow('timed out waiting for a ban to arrive');
});
