import { expectProblem, type ProblemResponse } from './expect-problem';

const problem = { type: 'urn:veto:error:token_revoked', title: 'Token revoked', status: 401, detail: 'the token was revoked', code: 'TOKEN_REVOKED' };
const response = (overrides: Partial<ProblemResponse> = {}, body: unknown = problem): ProblemResponse => ({
  status: 401,
  headers: { 'content-type': 'application/problem+json; charset=utf-8' },
  text: JSON.stringify(body),
  ...overrides,
});

it('accepts a problem+json answer with the status and code, and returns its body', () => {
  expect(expectProblem(response(), 401, 'TOKEN_REVOKED')).toEqual(problem);
});

it.each([
  ['another status', response({ status: 403 })],
  ['plain JSON', response({ headers: { 'content-type': 'application/json' } })],
  ['another code', response({}, { ...problem, code: 'TOKEN_EXPIRED' })],
  ['a type that does not match the code', response({}, { ...problem, type: 'about:blank' })],
  ['no title', response({}, { ...problem, title: undefined })],
  ['no detail', response({}, { ...problem, detail: undefined })],
  ['a body that is not JSON', response({ text: 'Unauthorized' })],
])('refuses %s', (_case, res) => {
  expect(() => expectProblem(res, 401, 'TOKEN_REVOKED')).toThrow();
});
