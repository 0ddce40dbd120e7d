// The signals service's public surface: what tooling (README generation, other tests) may
// import. Start the service with `node dist/main.js`.
export { createApp, type AppDeps } from './app';
export { CONFIG_SPEC, loadConfig, type Config } from './config';
export { ConfigError, SIGNALS_ERROR_CODES, SignalsError, type SignalsErrorCode } from './errors';
export { HTTP_ERRORS } from './entry-points/http/problem-details';
