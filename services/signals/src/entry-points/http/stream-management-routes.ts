import { parseRequest } from '@veto/service-kit';
import { Router, type Response } from 'express';
import { z } from 'zod';
import { changeStream, createStream, deleteStream, readStream, readStreams } from '../../domain/manage-streams';
import { requestVerification } from '../../domain/request-verification';
import type { StreamManagementContext } from '../../domain/stream-management-context';
import { createStreamSchema, updateStreamSchema } from '../../domain/stream-settings';
import { readStreamStatus, setStreamStatus } from '../../domain/stream-status';
import { TRANSMITTER_PATHS } from '../../domain/transmitter-metadata';
import { SignalsError } from '../../errors';
import { authenticatedReceiver, createReceiverAuth } from './receiver-auth';

const streamId = z.string().min(1).max(64);
const oneStreamQuery = z.object({ stream_id: streamId });
const optionalStreamQuery = z.object({ stream_id: streamId.optional() });
const statusBody = z.object({ stream_id: streamId, status: z.enum(['enabled', 'paused', 'disabled']), reason: z.string().min(1).max(1024).optional() });
const verifyBody = z.object({ stream_id: streamId, state: z.string().max(1024).optional() });

const receiverOf = (res: Response) => authenticatedReceiver(res.locals).id;

/**
 * The SSF 1.0 §8.1 stream management API, for authenticated receivers (`Authorization: Bearer
 * vetorcv.…`): stream configuration (`POST`, `GET`, `PATCH`, `PUT`, `DELETE /ssf/stream`), status
 * (`GET`, `POST /ssf/status`) and verification (`POST /ssf/verify`). A receiver sees and changes
 * only its own streams; any other stream id is 404 `STREAM_NOT_FOUND`. JSON bodies must be parsed
 * before this router.
 *
 * @param context - see {@link StreamManagementContext}
 * @returns the router
 * @example
 * app.use(createStreamManagementRoutes({ db, clock, issuer, subjectIssuer, key, pending, env, minVerificationIntervalSeconds }));
 */
export function createStreamManagementRoutes(context: StreamManagementContext): Router {
  const router = Router();
  const receiverAuth = createReceiverAuth({ db: context.db });
  router.use([TRANSMITTER_PATHS.configuration, TRANSMITTER_PATHS.status, TRANSMITTER_PATHS.verification], receiverAuth);

  router.post(TRANSMITTER_PATHS.configuration, async (req, res) => {
    const input = parseRequest(createStreamSchema, req.body);
    res.status(201).json(await createStream(context, receiverOf(res), input));
  });
  router.get(TRANSMITTER_PATHS.configuration, async (req, res) => {
    const query = parseRequest(optionalStreamQuery, req.query);
    const receiverId = receiverOf(res);
    res.json(query.stream_id === undefined ? await readStreams(context, receiverId) : await readStream(context, receiverId, query.stream_id));
  });
  router.patch(TRANSMITTER_PATHS.configuration, async (req, res) => {
    res.json(await changeStream(context, receiverOf(res), parseRequest(updateStreamSchema, req.body), 'patch'));
  });
  router.put(TRANSMITTER_PATHS.configuration, async (req, res) => {
    res.json(await changeStream(context, receiverOf(res), parseRequest(updateStreamSchema, req.body), 'replace'));
  });
  router.delete(TRANSMITTER_PATHS.configuration, async (req, res) => {
    await deleteStream(context, receiverOf(res), parseRequest(oneStreamQuery, req.query).stream_id);
    res.status(204).end();
  });

  router.get(TRANSMITTER_PATHS.status, async (req, res) => {
    res.json(await readStreamStatus(context, receiverOf(res), parseRequest(oneStreamQuery, req.query).stream_id));
  });
  router.post(TRANSMITTER_PATHS.status, async (req, res) => {
    const body = parseRequest(statusBody, req.body);
    res.json(await setStreamStatus(context, receiverOf(res), { streamId: body.stream_id, status: body.status, reason: body.reason }));
  });

  router.post(TRANSMITTER_PATHS.verification, async (req, res) => {
    const body = parseRequest(verifyBody, req.body);
    await requestVerification(context, receiverOf(res), { streamId: body.stream_id, state: body.state });
    res.status(204).end();
  });
  return router;
}

/**
 * The stream management endpoints of a process not wired to its database (a `main.ts` that does
 * not pass the management dependencies yet): every method answers 501 `NOT_IMPLEMENTED_YET`. A receiver that read the metadata learns the endpoint is not served
 * here, rather than a 404, which SSF gives the meaning "no such stream".
 *
 * @returns the router
 * @example
 * app.use(createStreamManagementPlaceholder());
 */
export function createStreamManagementPlaceholder(): Router {
  const router = Router();
  for (const path of [TRANSMITTER_PATHS.configuration, TRANSMITTER_PATHS.status, TRANSMITTER_PATHS.verification]) {
    router.all(path, (req, _res, next) => {
      next(new SignalsError('NOT_IMPLEMENTED_YET', `${req.method} ${path} is not served yet: stream management comes in a later release`));
    });
  }
  return router;
}
