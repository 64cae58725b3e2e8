/** One step of the team catalog's schema; applied once, in order, by `cuebank team init|upgrade`. */
export interface PgMigration {
  /** Strictly increasing; recorded in catalog_migrations once applied. */
  version: number;
  name: string;
  sql: string;
}
