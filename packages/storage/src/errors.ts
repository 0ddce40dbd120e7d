/** Every code a {@link StorageError} can carry; the README's error table lists each one. */
export const STORAGE_ERROR_CODES = ['DATABASE_UNAVAILABLE', 'MIGRATION_FAILED'] as const;

/** A stable, machine-readable reason for a storage failure. */
export type StorageErrorCode = (typeof STORAGE_ERROR_CODES)[number];

/**
 * The one error class of @veto/storage: the database could not be reached or migrated.
 * The driver's own error is the `cause`. Callers branch on `code`, never on the message.
 *
 * @param code - the stable reason
 * @param message - a human-readable detail
 * @param options - `cause` is passed through to `Error`
 * @example
 * try {
 *   await database.ping();
 * } catch (error) {
 *   if (error instanceof StorageError && error.code === 'DATABASE_UNAVAILABLE') reportNotReady();
 *   else throw error;
 * }
 */
export class StorageError extends Error {
  readonly code: StorageErrorCode;

  constructor(code: StorageErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}
