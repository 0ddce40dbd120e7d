// The tickets service's public surface: what tooling (README generation, other tests) may
// import. Start the service with `npm start` (`node --max-semi-space-size=1 dist/main.js`).
export { createApp, type AppDeps } from './app';
export { CONFIG_SPEC, loadConfig, type Config } from './config';
export { ConfigError, TICKETS_ERROR_CODES, TicketsError, ValidationError, type FieldError, type TicketsErrorCode } from './errors';
export { HTTP_ERRORS } from './entry-points/http/problem-details';
export type { Ticket } from './domain/ticket';
// What a harness needs to build the app around the service's own database (bench/ does).
export { schema } from './data-access/schema';
export { MIGRATIONS_FOLDER } from './data-access/migrations-folder';
