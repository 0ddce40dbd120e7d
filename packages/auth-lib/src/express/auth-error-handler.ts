import type { ErrorRequestHandler } from 'express';
import { authProblem } from '../auth-problem';

/**
 * Ready-made express error middleware: answers TokenErrors with problem+json and passes
 * every other error on.
 *
 * @example
 * app.use(authErrorHandler());
 * app.use(myErrorHandler);
 */
export function authErrorHandler(): ErrorRequestHandler {
  return (err, _req, res, next) => {
    const problem = authProblem(err);
    if (problem === undefined) {
      next(err);
      return;
    }
    res.status(problem.status).set(problem.headers).send(JSON.stringify(problem.body));
  };
}
