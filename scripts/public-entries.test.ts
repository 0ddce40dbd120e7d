import { join } from 'node:path';
import { exportedNames, publicEntries } from './public-entries';

const root = join(__dirname, '..');

/**
 * What each public entry exports, sorted, type-only exports as `type Name`. A name that appears or
 * vanishes here is a change of a package's public API (or a test harness leaking into a
 * production entry): update the list in the same commit, from the failure message.
 */
const PINNED: Record<string, string[]> = {
  '@veto/admin-console': ['ADMIN_CONSOLE_ASSETS_DIR', 'ADMIN_CONSOLE_INDEX'],
  '@veto/auth': ['AUTH_ERROR_CODES', 'AuthError', 'CONFIG_SPEC', 'ConfigError', 'HTTP_ERRORS', 'RateLimitedError', 'SigningKeyMissingError', 'ValidationError', 'createApp', 'loadConfig', 'type AppDeps', 'type AuthErrorCode', 'type Config', 'type ConfigKeySpec', 'type FieldError'],
  '@veto/auth-lib': ['PROPAGATION_BUCKETS_SECONDS', 'REVOCATION_FEED_REASONS', 'ROLES', 'RevocationCache', 'TOKEN_ERROR_CODES', 'TokenError', 'VETO_AUTH_DEFAULTS', 'accessTokenClaimsSchema', 'accessTokenTimes', 'applyRevocationEvent', 'authProblem', 'authenticateRequest', 'createEnforcementReporter', 'createJwksKeyStore', 'createRevocationFeed', 'createStaticKeyStore', 'createVerifier', 'createVetoAuth', 'isTokenError', 'issuedAtMs', 'keysFromJwks', 'loadJwks', 'numericDateToMs', 'readinessReport', 'registerAuthMetrics', 'requireClaims', 'toLowS', 'type AccessTokenClaims', 'type AccessTokenTimes', 'type AppliedRevocation', 'type AuthMetricsSources', 'type AuthProblem', 'type AuthenticateRequestOptions', 'type EnforcementReporter', 'type EnforcementReporterOptions', 'type JsonWebKeySet', 'type JwksKeyStore', 'type JwksKeyStoreOptions', 'type KeyEntry', 'type KeyStore', 'type LoadJwksOptions', 'type ReadinessReport', 'type RevocationCacheOptions', 'type RevocationFeed', 'type RevocationFeedOptions', 'type RevocationFeedReason', 'type RevocationFeedState', 'type RevocationSubject', 'type Role', 'type TokenErrorCode', 'type TokenHeaders', 'type Verifier', 'type VerifierOptions', 'type VerifierStats', 'type VetoAuth', 'type VetoAuthOptions', 'type VetoAuthState', 'type VetoReadiness'],
  '@veto/auth-lib/testing': ['TEST_AUDIENCE', 'TEST_ISSUER', 'TEST_KEY_PAIR', 'createTestClock', 'createTestKeyPair', 'signCompactJws', 'signTestToken', 'startJwksServer', 'testJwks', 'toHighS', 'type JwksServer', 'type SignTestTokenOptions', 'type TestClock', 'type TestKeyPair'],
  '@veto/chaos': ['CI_RUN', 'FULL_RUN', 'LIE_GAP_MS', 'SCENARIOS', 'figuresTable', 'runScenario', 'scenarioHeld', 'type Scenario', 'type ScenarioContext', 'type ScenarioFigures', 'type ScenarioSettings'],
  '@veto/e2e': ['ADMIN', 'USER_PASSWORD', 'createVetoDeployment', 'freePort', 'request', 'startServiceProcess', 'type JsonResponse', 'type ServiceProcess', 'type ServiceProcessOptions', 'type VetoDeployment', 'type VetoDeploymentOptions', 'waitUntil'],
  '@veto/events': ['ArchiveLineError', 'DEAD_LETTER_HEADERS', 'DEAD_LETTER_PREFIX', 'DEAD_LETTER_STREAM', 'DEFAULT_MAX_AGE_MS', 'DEFAULT_STREAM', 'DEFAULT_SUBJECT_PREFIX', 'DUPLICATE_WINDOW_MS', 'EVENT_DATA_SCHEMAS', 'EVENT_ERROR_CODES', 'EVENT_TYPES', 'EVENT_VERSION', 'EventError', 'EventPublisher', 'MAX_RECEIPT_APPLIED', 'RECEIPT_EXPIRY_HEARTBEATS', 'RECEIPT_PREFIX', 'RECEIPT_VERSION', 'allEventsSubject', 'allReceiptsSubject', 'connect', 'connectWithRetry', 'createEvent', 'deadLetterSubject', 'encodeEnforcementReceipt', 'enforcementReceiptSchema', 'ensureStreams', 'formatArchiveLine', 'isEventError', 'isEventType', 'natsErrorCode', 'parseArchiveLine', 'parseEnforcementReceipt', 'parseEvent', 'receiptSubject', 'recordStream', 'replayStream', 'storedEventId', 'subjectFor', 'subscribeFanOut', 'subscribeWorkQueue', 'type AppliedReceiptEntry', 'type ArchiveEntry', 'type ArchivePayload', 'type ArchivedMessage', 'type ConnectRetryOptions', 'type CreateEventOptions', 'type DeadLetterReason', 'type DeliveredEvent', 'type EnforcementReceipt', 'type EventErrorCode', 'type EventOf', 'type EventPublisherOptions', 'type EventType', 'type FanOutInterruption', 'type FanOutOptions', 'type FanOutStats', 'type FanOutSubscription', 'type Logger', 'type NatsConnection', 'type NodeConnectionOptions', 'type PublishResult', 'type RecordResult', 'type RecordStreamOptions', 'type ReplayResult', 'type ReplayStreamOptions', 'type StreamOptions', 'type VetoEvent', 'type WorkItem', 'type WorkQueueOptions', 'type WorkQueueStats', 'type WorkQueueSubscription'],
  '@veto/events/testing': ['connectTo', 'eventually', 'findNatsServer', 'freePort', 'nextReconnect', 'startDelayProxy', 'startNatsCluster', 'startNatsServer', 'startReplayedBus', 'testReceipt', 'type DelayProxy', 'type DelayProxyOptions', 'type NatsClusterHandle', 'type NatsClusterOptions', 'type NatsRestartOptions', 'type NatsServerHandle', 'type NatsServerOptions', 'type ReplayArchive', 'type ReplayedBus', 'type ReplayedBusOptions'],
  '@veto/local-stack': ['ConfigError', 'GATEWAY_ERRORS', 'LOCAL_STACK_ERROR_CODES', 'LocalStackError', 'PUBLIC_ROUTES', 'STACK_CONFIG_SPEC', 'createGateway', 'loadStackConfig', 'runDemo', 'startStack', 'type DemoOptions', 'type DemoResult', 'type GatewayErrorCode', 'type GatewayOptions', 'type GatewayRoute', 'type LocalStackErrorCode', 'type RunningStack', 'type StackConfig', 'type StartStackOptions'],
  '@veto/service-kit': ['BODY_LIMIT', 'COMMON_HTTP_ERRORS', 'ConfigError', 'HTTP_ORIGIN_SETTINGS', 'LOG_LEVEL_SETTING', 'NATS_CONNECT_SETTINGS', 'STREAM_SETTINGS', 'ServiceError', 'ValidationError', 'asServiceError', 'checkSharedSettings', 'createErrorHandler', 'createRequestLogger', 'crossSiteGuard', 'decodeCursor', 'encodeCursor', 'installGracefulShutdown', 'integerSetting', 'loadConfigFrom', 'natsSettings', 'optionalTextSetting', 'parseRequest', 'problemBody', 'requireJsonBodies', 'runService', 'toPage', 'type CommonErrorCode', 'type ConfigKeySpec', 'type ConfigOf', 'type CrossSiteGuardOptions', 'type ErrorHandlerOptions', 'type FieldError', 'type GracefulShutdownOptions', 'type HttpErrorSpec', 'type HttpErrorTable', 'type PagePosition', 'type Shutdown', 'type ShutdownStep'],
  '@veto/service-kit/testing': ['startScript', 'type RunningScript', 'type ScriptOptions', 'type ScriptResult'],
  '@veto/storage': ['MIGRATIONS_TABLE', 'STORAGE_ERROR_CODES', 'StorageError', 'isSchemaName', 'migrateDatabase', 'openDatabase', 'qualifiedMigrations', 'selectRows', 'type Database', 'type DatabaseDriver', 'type DatabaseHandle', 'type DrizzleSchema', 'type MigrateDatabaseOptions', 'type OpenDatabaseOptions', 'type StorageErrorCode'],
  '@veto/storage/testing': ['availableDrivers', 'createSandboxFreePglite', 'openTestDatabase', 'tableNames', 'type OpenTestDatabaseOptions', 'type TestDatabase'],
  '@veto/tickets': ['CONFIG_SPEC', 'ConfigError', 'HTTP_ERRORS', 'MIGRATIONS_FOLDER', 'TICKETS_ERROR_CODES', 'TicketsError', 'ValidationError', 'createApp', 'loadConfig', 'schema', 'type AppDeps', 'type Config', 'type FieldError', 'type Ticket', 'type TicketsErrorCode'],
  '@veto/auth-lib/express': ['authErrorHandler', 'authenticate', 'requireAuth', 'requireRole', 'type AuthenticateOptions', 'type VetoExpress', 'type VetoExpressOptions', 'vetoExpress'],
  '@veto/auth-lib/fastify': ['type VetoFastify', 'type VetoFastifyOptions', 'vetoFastify'],
  '@veto/test-kit': ['expectProblem', 'freePort', 'type ProblemResponse', 'waitFor'],
};

/** The list as it would be written above, to paste. */
const asSource = (specifier: string, names: string[]) => `  '${specifier}': [${names.map((name) => `'${name}'`).join(', ')}],`;

describe('the public entries of the workspace packages', () => {
  const entries = publicEntries(root);
  let actual: Map<string, string[]>;
  beforeAll(() => {
    actual = exportedNames(root, entries);
  });

  it('pins every entry the manifests export, and no other', () => {
    const specifiers = entries.map((entry) => entry.specifier);
    const unpinned = specifiers.filter((specifier) => !(specifier in PINNED));
    const gone = Object.keys(PINNED).filter((specifier) => !specifiers.includes(specifier));
    if (unpinned.length > 0 || gone.length > 0) {
      throw new Error(
        `Entries without a pinned list: ${unpinned.join(', ') || 'none'}; pinned lists without an entry: ${gone.join(', ') || 'none'}.\n` +
          `Paste into PINNED:\n${unpinned.map((specifier) => asSource(specifier, actual.get(specifier) ?? [])).join('\n')}`,
      );
    }
  });

  it.each(entries.map((entry) => [entry.specifier, entry.source] as const))('%s exports exactly its pinned names', (specifier) => {
    const names = actual.get(specifier) ?? [];
    const pinned = PINNED[specifier] ?? [];
    if (names.join('\n') !== pinned.join('\n')) {
      const added = names.filter((name) => !pinned.includes(name));
      const removed = pinned.filter((name) => !names.includes(name));
      throw new Error(`${specifier} changed its exports: added ${added.join(', ') || 'none'}; removed ${removed.join(', ') || 'none'}.\nPaste into PINNED:\n${asSource(specifier, names)}`);
    }
  });

  // Loaded while jest collects the tests: a ./testing entry may register a jest hook as it loads.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const loaded = new Map(entries.map((entry) => [entry.specifier, require(entry.source) as Record<string, unknown>]));

  it.each(entries.map((entry) => [entry.specifier] as const))('%s loads and exports at run time the values the compiler sees', (specifier) => {
    const values = (actual.get(specifier) ?? []).filter((name) => !name.startsWith('type '));
    expect(Object.keys(loaded.get(specifier) ?? {}).filter((name) => name !== '__esModule').sort()).toEqual(values);
  });
});
