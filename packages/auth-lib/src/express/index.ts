export { authErrorHandler } from './auth-error-handler';
export { authenticate, requireAuth, requireRole, type AuthenticateOptions } from './authenticate';
export { vetoExpress, type VetoExpress, type VetoExpressOptions } from './veto-express';
