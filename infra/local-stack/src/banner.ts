import { relative } from 'node:path';
import { ADMIN_FILE } from './stack-secrets';
import type { RunningStack } from './start-stack';

/**
 * The short text printed once the stack is ready: where to go, the admin's credentials on the
 * first start (only the file's path afterwards), and how to stop.
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
  const admin = stack.firstStart
    ? `${stack.admin.email} / ${stack.admin.password}   (shown once; kept in ${adminFile})`
    : `${stack.admin.email}   (password in ${adminFile})`;
  return [
    '',
    `Veto is running on ${stack.urls.gateway}`,
    `  gateway   ${stack.urls.gateway}   /api/users /api/auth /api/admin /.well-known -> auth, /api/tickets -> tickets`,
    `  auth      ${stack.urls.auth}`,
    `  tickets   ${stack.urls.tickets}`,
    `  nats      ${stack.urls.nats}${stack.ownsNats ? '' : '   (NATS_URL)'}`,
    `  admin     ${admin}`,
    `  data      ${shown(dataDir)}   (kept between runs)`,
    '',
    '  Try it:   npm run demo      (in another terminal)',
    '  Stop:     Ctrl-C',
    '',
    '',
  ].join('\n');
}
