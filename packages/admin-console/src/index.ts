import { join } from 'node:path';

/**
 * Absolute path of the built console (`index.html`, `console.css` and the ES modules), which
 * `pnpm build` writes into this package's `dist/public`. Serve it as static files; the
 * directory does not exist until the package is built.
 *
 * @example
 * app.use('/admin', express.static(ADMIN_CONSOLE_ASSETS_DIR));
 */
// From src/ (sources run through tsx or jest) and from dist/ (built) alike, `..` is the package root.
export const ADMIN_CONSOLE_ASSETS_DIR: string = join(__dirname, '..', 'dist', 'public');

/** The console's page, the one file that is not cached (it names the modules to load). */
export const ADMIN_CONSOLE_INDEX = 'index.html';
