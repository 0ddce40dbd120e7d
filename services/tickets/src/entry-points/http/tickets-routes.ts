import { requireAuth } from '@veto/auth-lib/express';
import { parseRequest } from '@veto/service-kit';
import { Router, type Request } from 'express';
import { z } from 'zod';
import { createTicket } from '../../domain/create-ticket';
import { getTicket } from '../../domain/get-ticket';
import { listTickets } from '../../domain/list-tickets';
import { MAX_PRICE_CENTS, MAX_TITLE_LENGTH, MAX_VERSION } from '../../domain/ticket';
import type { TicketsContext } from '../../domain/tickets-context';
import { updateTicket } from '../../domain/update-ticket';

const title = z.string().trim().min(1).max(MAX_TITLE_LENGTH);
const price = z.number().int().positive().max(MAX_PRICE_CENTS);
const newTicketSchema = z.object({ title, price });
const changeSchema = z.object({ title, price, version: z.number().int().positive().max(MAX_VERSION), listed: z.boolean().optional() });
const listQuerySchema = z.object({
  limit: z
    .string()
    .regex(/^\d{1,3}$/, 'must be an integer from 1 to 100')
    .transform(Number)
    .pipe(z.number().min(1, 'must be an integer from 1 to 100').max(100, 'must be an integer from 1 to 100'))
    .default(20),
  cursor: z.string().min(1).max(512).optional(),
});

/** The authenticated user's id; `requireAuth()` runs first on every route. */
function userId(req: Request): string {
  if (req.auth === undefined) throw new TypeError('tickets routes must run after requireAuth()');
  return req.auth.sub;
}

/**
 * `/api/tickets`: create (`POST /`), list listed tickets by keyset pagination (`GET /`), read
 * (`GET /:id`), and change with optimistic concurrency (`PUT /:id`). Every route needs a valid
 * access token (`authenticate` must run before this router).
 *
 * @param context - database and clock
 * @returns the router
 * @example
 * app.use('/api/tickets', createTicketsRoutes({ db: database.db, clock }));
 */
export function createTicketsRoutes(context: TicketsContext): Router {
  const router = Router();
  router.use(requireAuth());
  router.post('/', async (req, res) => {
    const input = parseRequest(newTicketSchema, req.body);
    res.status(201).json(await createTicket(context, { ownerId: userId(req), ...input }));
  });
  router.get('/', async (req, res) => {
    const query = parseRequest(listQuerySchema, req.query);
    res.json(await listTickets(context, query));
  });
  router.get('/:id', async (req, res) => {
    res.json(await getTicket(context, req.params.id, userId(req)));
  });
  router.put('/:id', async (req, res) => {
    const change = parseRequest(changeSchema, req.body);
    res.json(await updateTicket(context, { id: req.params.id, userId: userId(req), change }));
  });
  return router;
}
