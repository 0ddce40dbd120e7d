export { STORAGE_ERROR_CODES, StorageError, type StorageErrorCode } from './errors';
export { isSchemaName, openDatabase, type Database, type DatabaseDriver, type DatabaseHandle, type DrizzleSchema, type OpenDatabaseOptions } from './database';
export { MIGRATIONS_TABLE, migrateDatabase, qualifiedMigrations, type MigrateDatabaseOptions } from './migrate-database';
export { selectRows } from './select-rows';
