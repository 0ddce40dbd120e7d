// The end-to-end harness, for other workspace packages that start the services as processes
// (bench/ and tests/chaos do): nothing here is a test.
export { freePort } from './free-port';
export { request, waitUntil, type JsonResponse } from './http-client';
export { startServiceProcess, type ServiceProcess, type ServiceProcessOptions } from './service-process';
export { ADMIN, createVetoDeployment, USER_PASSWORD, type VetoDeployment, type VetoDeploymentOptions } from './veto-deployment';
