import type { Express } from 'express';
import pino from 'pino';
import { Registry } from 'prom-client';
import { createApp } from '../app';
import type { SigningKey } from '../domain/signing-key';
import { testSigningKey } from './test-keys';

/** The issuer the test apps publish unless told otherwise. */
export const TEST_ISSUER = 'https://signals.example.com';

/**
 * The real app with the test key, a silent logger and its own registry.
 *
 * @example
 * const { app, key } = createTestApp({ issuer: 'https://example.com/tenant1' });
 */
export function createTestApp(options: { issuer?: string } = {}): { app: Express; key: SigningKey; issuer: string } {
  const key = testSigningKey();
  const issuer = options.issuer ?? TEST_ISSUER;
  return { app: createApp({ issuer, key, logger: pino({ level: 'silent' }), metricsRegistry: new Registry() }), key, issuer };
}
