/** Why a veto-stream command failed after its command line was read (the CLI prints the code). */
export type VetoStreamErrorCode = 'CREDENTIALS_UNREADABLE' | 'CREDENTIALS_INVALID' | 'STREAM_NOT_FOUND' | 'PERMISSIONS_VIOLATION';

/**
 * A failure of veto-stream with a stable code: a credentials file that cannot be read or is not
 * in the expected format (its content never part of the message), a stream that does not exist,
 * a request the server does not allow the user.
 */
export class VetoStreamError extends Error {
  readonly code: VetoStreamErrorCode;

  constructor(code: VetoStreamErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}
