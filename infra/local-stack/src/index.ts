export { LOCAL_STACK_ERROR_CODES, LocalStackError, ConfigError, type LocalStackErrorCode } from './errors';
export { createGateway, GATEWAY_ERRORS, type GatewayErrorCode, type GatewayOptions, type GatewayRoute } from './gateway';
export { loadStackConfig, STACK_CONFIG_SPEC, type StackConfig } from './stack-config';
export { SERVICE_NODE_FLAGS } from './service-node-flags';
export { PUBLIC_ROUTES, startStack, type RunningStack, type StartStackOptions } from './start-stack';
export { runDemo, type DemoOptions, type DemoResult } from './demo';
