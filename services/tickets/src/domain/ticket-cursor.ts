import { z } from 'zod';
import type { TicketPosition } from '../data-access/tickets-repository';
import { ValidationError } from '../errors';

const positionSchema = z.tuple([z.iso.datetime({ offset: false, precision: 3 }), z.uuid()]);

/**
 * Encodes a list position as an opaque URL-safe cursor.
 *
 * @param position - the last ticket of a page
 * @example
 * const nextCursor = encodeCursor({ createdAt: row.createdAt, id: row.id });
 */
export function encodeCursor(position: TicketPosition): string {
  return Buffer.from(JSON.stringify([position.createdAt.toISOString(), position.id])).toString('base64url');
}

/**
 * Decodes a cursor made by {@link encodeCursor}.
 *
 * @param cursor - the `cursor` query parameter
 * @returns the position to continue after
 * @throws {ValidationError} `VALIDATION_FAILED` on the `cursor` field when it was not made by `encodeCursor`
 * @example
 * const after = decodeCursor(req.query.cursor);
 */
export function decodeCursor(cursor: string): TicketPosition {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch (error) {
    throw new ValidationError([{ field: 'cursor', message: 'Invalid cursor' }], { cause: error });
  }
  const parsed = positionSchema.safeParse(decoded);
  if (!parsed.success) {
    throw new ValidationError([{ field: 'cursor', message: 'Invalid cursor' }], { cause: parsed.error });
  }
  return { createdAt: new Date(parsed.data[0]), id: parsed.data[1] };
}
