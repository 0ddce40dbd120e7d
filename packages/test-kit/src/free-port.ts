/**
 * A loopback port free right now (the OS picks it). The one implementation lives in the public
 * `@veto/events/testing` (its nats-server harness needs it, and a published package cannot
 * depend on this private one); re-exported here so the workspace's tests import every helper
 * from one place.
 *
 * @example
 * const port = await freePort();
 */
export { freePort } from '@veto/events/testing';
