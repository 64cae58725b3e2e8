import type { PgMigration } from './migration';
import { pgMigration001 } from './001_catalog';
import { pgMigration002 } from './002_tags';
import { pgMigration003 } from './003_change_feed';

/** Every team catalog migration, in order. Add new ones as their own file and append them here. */
export const pgMigrations: readonly PgMigration[] = [pgMigration001, pgMigration002, pgMigration003];
