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
  STREAM_NOT_FOUND: { status: 404, title: 'Stream not found' },
  STREAM_READ_ONLY_FIELD: { status: 400, title: 'Read-only stream property' },
  STREAM_DELIVERY_INVALID: { status: 400, title: 'Invalid stream delivery' },
  STREAM_DISABLED: { status: 409, title: 'Stream disabled' },
  VERIFICATION_TOO_FREQUENT: { status: 429, title: 'Verification requested too often' },
  RECEIVER_NOT_FOUND: { status: 404, title: 'Receiver not found' },
  // -- end of receivers and stream management codes

  // -- delivery codes
  POLL_REQUEST_INVALID: { status: 400, title: 'Invalid poll request' },
  // -- end of delivery codes
});
