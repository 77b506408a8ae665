/* Every migration, per engine, in order; listed explicitly so the built app needs no glob. */
import type { MigrationInterface } from 'typeorm';
import { Initial1795631210457 } from './postgres/1795631210457-Initial';
import { Initial1795631191317 } from './sqlite/1795631191317-Initial';
import { Bookings1795633830040 } from './postgres/1795633830040-Bookings';
import { Bookings1795633815086 } from './sqlite/1795633815086-Bookings';
import { BookingLifecycle1796578427182 } from './postgres/1796578427182-BookingLifecycle';
import { BookingLifecycle1796578420451 } from './sqlite/1796578420451-BookingLifecycle';
import { Webhooks1796583469663 } from './postgres/1796583469663-Webhooks';
import { Webhooks1796583457744 } from './sqlite/1796583457744-Webhooks';
import { Retention1796600000000 as RetentionPostgres1796600000000 } from './postgres/1796600000000-Retention';
import { Retention1796600000000 as RetentionSqlite1796600000000 } from './sqlite/1796600000000-Retention';
import { Erasure1796600100000 as ErasurePostgres1796600100000 } from './postgres/1796600100000-Erasure';
import { Erasure1796600100000 as ErasureSqlite1796600100000 } from './sqlite/1796600100000-Erasure';
import { LookupKeysInTimeIndexes1796600600000 as LookupKeysInTimeIndexesPostgres1796600600000 } from './postgres/1796600600000-LookupKeysInTimeIndexes';
import { LookupKeysInTimeIndexes1796600600000 as LookupKeysInTimeIndexesSqlite1796600600000 } from './sqlite/1796600600000-LookupKeysInTimeIndexes';
import { PackingDictionaries1796600709689 } from './postgres/1796600709689-PackingDictionaries';
import { PackingDictionaries1796600655570 } from './sqlite/1796600655570-PackingDictionaries';

export const SQLITE_MIGRATIONS: Array<new () => MigrationInterface> = [
  Initial1795631191317,
  Bookings1795633815086,
  BookingLifecycle1796578420451,
  Webhooks1796583457744,
  RetentionSqlite1796600000000,
  ErasureSqlite1796600100000,
  LookupKeysInTimeIndexesSqlite1796600600000,
  PackingDictionaries1796600655570,
];
export const POSTGRES_MIGRATIONS: Array<new () => MigrationInterface> = [
  Initial1795631210457,
  Bookings1795633830040,
  BookingLifecycle1796578427182,
  Webhooks1796583469663,
  RetentionPostgres1796600000000,
  ErasurePostgres1796600100000,
  LookupKeysInTimeIndexesPostgres1796600600000,
  PackingDictionaries1796600709689,
];
