export { ServiceError, ValidationError, ConfigError, type FieldError } from './service-error';
export { loadConfigFrom, integerSetting, optionalTextSetting, type ConfigKeySpec, type ConfigOf } from './config-spec';
export {
  createErrorHandler,
  asServiceError,
  problemBody,
  COMMON_HTTP_ERRORS,
  BODY_LIMIT,
  type CommonErrorCode,
  type HttpErrorSpec,
  type HttpErrorTable,
  type ErrorHandlerOptions,
} from './problem-details';
export { parseRequest, requireJsonBodies } from './parse-request';
export { createRequestLogger } from './request-logger';
export { installGracefulShutdown, type GracefulShutdownOptions, type Shutdown, type ShutdownStep } from './graceful-shutdown';
export { runService } from './run-service';
export { LOG_LEVEL_SETTING, NATS_CONNECT_SETTINGS, STREAM_SETTINGS, HTTP_ORIGIN_SETTINGS, databaseSettings, natsSettings, checkSharedSettings } from './shared-settings';
export { crossSiteGuard, type CrossSiteGuardOptions } from './cross-site-guard';
export { decodeCursor, encodeCursor, toPage, type PagePosition } from './page-cursor';
