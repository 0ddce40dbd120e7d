import { parseRequest } from '@veto/service-kit';
import { Router } from 'express';
import { z } from 'zod';
import { readDeadLetters, redriveDeadLetters } from '../../domain/dead-letters';
import { readReceivers, registerReceiver, revokeReceiver } from '../../domain/manage-receivers';
import type { StreamManagementContext } from '../../domain/stream-management-context';
import { SignalsError } from '../../errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MAX_LIMIT = 1000;

const newReceiverBody = z.object({ name: z.string().trim().min(1).max(200) });
const revokeBody = z.object({ reason: z.string().trim().min(1).max(1024) });
const deadLettersQuery = z.object({
  stream_id: z.string().min(1).max(64).optional(),
  limit: z
    .string()
    .regex(/^\d{1,4}$/, `must be an integer from 1 to ${String(MAX_LIMIT)}`)
    .transform(Number)
    .pipe(z.number().min(1).max(MAX_LIMIT))
    .default(100),
});
const redriveBody = z.object({
  stream_id: z.string().min(1).max(64),
  seqs: z.array(z.number().int().positive()).min(1).max(MAX_LIMIT).optional(),
});

/**
 * `/api/admin`: receivers (register, list, revoke) and the dead letters of push (list, re-drive).
 * Admin authentication must run before this router; JSON bodies must be parsed.
 *
 * @param context - see {@link StreamManagementContext}
 * @returns the router
 * @example
 * app.use('/api/admin', ...adminOnly(adminAuth), createAdminRoutes(context));
 */
export function createAdminRoutes(context: StreamManagementContext): Router {
  const router = Router();
  router.post('/receivers', async (req, res) => {
    const { name } = parseRequest(newReceiverBody, req.body);
    res.status(201).json(await registerReceiver(context, name));
  });
  router.get('/receivers', async (_req, res) => {
    res.json({ receivers: await readReceivers(context) });
  });
  router.post('/receivers/:id/revoke', async (req, res) => {
    const { reason } = parseRequest(revokeBody, req.body);
    // Not a UUID: no such receiver, and PostgreSQL must not see it (a refused cast is a 500).
    if (!UUID.test(req.params.id)) throw new SignalsError('RECEIVER_NOT_FOUND', 'No such receiver');
    res.json(await revokeReceiver(context, req.params.id, reason));
  });
  router.get('/dead-letters', async (req, res) => {
    const query = parseRequest(deadLettersQuery, req.query);
    if (query.stream_id !== undefined && !UUID.test(query.stream_id)) {
      res.json({ dead_letters: [] });
      return;
    }
    res.json({ dead_letters: await readDeadLetters(context, { streamId: query.stream_id, limit: query.limit }) });
  });
  router.post('/dead-letters/redrive', async (req, res) => {
    const body = parseRequest(redriveBody, req.body);
    res.json({ redriven: await redriveDeadLetters(context, { streamId: body.stream_id, seqs: body.seqs }) });
  });
  return router;
}
