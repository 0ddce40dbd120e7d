import { Router } from 'express';
import { TRANSMITTER_PATHS } from '../../domain/transmitter-metadata';
import { SignalsError } from '../../errors';

/**
 * The stream management endpoints the metadata names (SSF 1.0 §8: configuration, status,
 * verification), answering every method with 501 `NOT_IMPLEMENTED_YET` until they are built. A
 * receiver that reads the metadata and calls one learns that it is not served yet, rather than a
 * 404, which SSF gives the meaning "no such stream".
 *
 * @returns the router
 * @example
 * app.use(createStreamManagementRoutes());
 */
export function createStreamManagementRoutes(): Router {
  const router = Router();
  for (const path of [TRANSMITTER_PATHS.configuration, TRANSMITTER_PATHS.status, TRANSMITTER_PATHS.verification]) {
    router.all(path, (req, _res, next) => {
      next(new SignalsError('NOT_IMPLEMENTED_YET', `${req.method} ${path} is not served yet: stream management comes in a later release`));
    });
  }
  return router;
}
