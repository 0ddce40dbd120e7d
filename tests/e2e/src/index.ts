// The end-to-end harness, for other workspace packages that start the services as processes
// (bench/ and tests/chaos do): nothing here is a test.
// bench/ takes freePort from here; the one implementation is test-kit's.
export { freePort } from '@veto/test-kit';
export { request, waitUntil, type JsonResponse } from './http-client';
export { startServiceProcess, type ServiceProcess, type ServiceProcessOptions } from './service-process';
export { ADMIN, createVetoDeployment, USER_PASSWORD, type VetoDeployment, type VetoDeploymentOptions } from './veto-deployment';
