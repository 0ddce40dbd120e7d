import { COMMON_HTTP_ERRORS, type HttpErrorTable } from '@veto/service-kit';
import type { TicketsErrorCode } from '../../errors';

/**
 * HTTP status and title of every tickets error code: the one place these codes meet HTTP.
 * Typed as a `Record` over the code union, so a new code does not compile until it is mapped
 * here. Token codes are mapped by `authProblem` from `@veto/auth-lib`.
 *
 * @example
 * HTTP_ERRORS.VERSION_CONFLICT.status // 409
 */
export const HTTP_ERRORS: HttpErrorTable<TicketsErrorCode> = Object.freeze({
  ...COMMON_HTTP_ERRORS,
  TICKET_NOT_FOUND: { status: 404, title: 'Ticket not found' },
  NOT_TICKET_OWNER: { status: 403, title: 'Not the ticket owner' },
  VERSION_CONFLICT: { status: 409, title: 'Version conflict' },
});
