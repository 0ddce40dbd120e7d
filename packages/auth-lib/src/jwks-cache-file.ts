import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { keyMap, keysFromJwks, type JsonWebKeySet } from './key-store';

/** A JWKS read back from a cache file, with the time it was written. */
export interface CachedJwks {
  jwks: JsonWebKeySet;
  /** Modification time of the file, in ms since the epoch: when the JWKS was last fetched. */
  writtenAt: number;
}

/**
 * Writes a JWKS to `file` atomically: a reader (another instance starting) sees the old file or
 * the new one, never half of one. The keys are public, so the file is world-readable.
 */
export async function writeJwksCacheFile(file: string, jwks: JsonWebKeySet): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  // A unique temp name beside the target: rename is atomic only within one file system, and
  // instances sharing a data directory must not write into each other's temp file.
  const temp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temp, JSON.stringify(jwks));
    // Set explicitly: a strict umask would otherwise hide the keys from a sidecar reading them.
    await chmod(temp, 0o644);
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/**
 * Reads a JWKS cache file and checks it as strictly as a fetched JWKS.
 *
 * @returns undefined when the file does not exist
 * @throws TypeError (or a file system error) when the file cannot be read or holds no usable ES256 key
 */
export async function readJwksCacheFile(file: string): Promise<CachedJwks | undefined> {
  let text: string;
  let writtenAt: number;
  try {
    [text, { mtimeMs: writtenAt }] = await Promise.all([readFile(file, 'utf8'), stat(file)]);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const jwks: unknown = JSON.parse(text);
  keyMap(keysFromJwks(jwks));
  return { jwks: jwks as JsonWebKeySet, writtenAt };
}
