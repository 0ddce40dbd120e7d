// The auth service's public surface: what tooling (README generation, other tests) may
// import. Start the service with `npm start` (`node --max-semi-space-size=1 dist/main.js`).
export { createApp, type AppDeps } from './app';
export { CONFIG_SPEC, loadConfig, type Config, type ConfigKeySpec } from './config';
export { AUTH_ERROR_CODES, AuthError, ConfigError, RateLimitedError, SigningKeyMissingError, ValidationError, type AuthErrorCode, type FieldError } from './errors';
export { HTTP_ERRORS } from './entry-points/http/problem-details';
