import { relative } from 'node:path';
import { ADMIN_FILE, INTROSPECTION_CLIENT_FILE } from './stack-secrets';
import type { RunningStack } from './start-stack';

/**
 * The short text printed once the stack is ready: where to go (the signals transmitter's discovery
 * URL included), the admin's credentials and the
 * introspection client's on the first start (only their files' paths afterwards), and how to stop.
 *
 * @param stack - the running stack
 * @param dataDir - its data directory, absolute
 * @param cwd - shown paths are relative to it when inside it
 * @example
 * process.stdout.write(banner(stack, config.dataDir, process.cwd()));
 */
export function banner(stack: RunningStack, dataDir: string, cwd: string): string {
  const shown = (path: string) => (path.startsWith(`${cwd}/`) ? relative(cwd, path) : path);
  const adminFile = shown(`${dataDir}/${ADMIN_FILE}`);
  const admin = stack.firstStart ? `${stack.admin.email} / ${stack.admin.password}   (shown once; kept in ${adminFile})` : `${stack.admin.email}   (password in ${adminFile})`;
  const introspectionFile = shown(`${dataDir}/${INTROSPECTION_CLIENT_FILE}`);
  const { clientId, clientSecret } = stack.introspection;
  const introspection = stack.firstStart ? `${clientId} / ${clientSecret}   (shown once; kept in ${introspectionFile})` : `${clientId}   (secret in ${introspectionFile})`;
  // SSF puts the well-known segment between the host and the issuer's path.
  const issuer = new URL(stack.signalsIssuer);
  const discovery = `${issuer.origin}/.well-known/ssf-configuration${issuer.pathname === '/' ? '' : issuer.pathname}`;
  const row = (label: string, value: string): string => `  ${label.padEnd(12)}${value}`;
  return [
    '',
    `Veto is running on ${stack.urls.gateway}`,
    row('gateway', `${stack.urls.gateway}   / (start page), /admin /api/users /api/auth /api/admin /.well-known -> auth, /api/tickets -> tickets, /signals -> signals`),
    row('auth', stack.urls.auth),
    row('tickets', stack.urls.tickets),
    row('signals', `${stack.urls.signals}   Shared Signals transmitter, issuer ${stack.signalsIssuer}`),
    row('ssf', `${discovery}   (discovery; receivers: /api/admin/receivers)`),
    row('nats', `${stack.urls.nats}${stack.ownsNats ? '' : '   (NATS_URL)'}`),
    row('admin', admin),
    row('introspect', `${introspection}   POST /api/auth/introspect (RFC 7662)`),
    row('data', `${shown(dataDir)}   (kept between runs)`),
    '',
    '  Try it:   npm run demo      (in another terminal)',
    '  Stop:     Ctrl-C',
    '',
    '',
  ].join('\n');
}
