import { COMMON_HTTP_ERRORS, type CommonErrorCode, type HttpErrorTable } from '@veto/service-kit';
import type { SignalsErrorCode } from '../../errors';

/**
 * HTTP status and title of every signals error code: the one place these codes meet HTTP. Typed
 * as a `Record` over the code union, so a new code does not compile until it is mapped here.
 *
 * @example
 * HTTP_ERRORS.NOT_IMPLEMENTED_YET.status // 501
 */
export const HTTP_ERRORS: HttpErrorTable<SignalsErrorCode | CommonErrorCode> = Object.freeze({
  ...COMMON_HTTP_ERRORS,
  NOT_IMPLEMENTED_YET: { status: 501, title: 'Not implemented yet' },
  UNSUPPORTED_EVENT_TYPE: { status: 500, title: 'Internal server error' },
  SUBJECT_EMAIL_UNKNOWN: { status: 500, title: 'Internal server error' },
  RECEIVER_UNAUTHORIZED: { status: 401, title: 'Unauthorized' },
  // -- receivers and stream management codes
  // -- end of receivers and stream management codes

  // -- delivery codes
  POLL_REQUEST_INVALID: { status: 400, title: 'Invalid poll request' },
  // -- end of delivery codes
});
