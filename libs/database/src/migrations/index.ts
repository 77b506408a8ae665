/* Every migration, per engine, in order; listed explicitly so the built app needs no glob. */
import { Initial1795631210457 } from './postgres/1795631210457-Initial';
import { Initial1795631191317 } from './sqlite/1795631191317-Initial';
import { Bookings1795633830040 } from './postgres/1795633830040-Bookings';
import { Bookings1795633815086 } from './sqlite/1795633815086-Bookings';
import { BookingLifecycle1796578427182 } from './postgres/1796578427182-BookingLifecycle';
import { BookingLifecycle1796578420451 } from './sqlite/1796578420451-BookingLifecycle';
import { Webhooks1796583469663 } from './postgres/1796583469663-Webhooks';
import { Webhooks1796583457744 } from './sqlite/1796583457744-Webhooks';

export const SQLITE_MIGRATIONS: Function[] = [Initial1795631191317, Bookings1795633815086, BookingLifecycle1796578420451, Webhooks1796583457744];
export const POSTGRES_MIGRATIONS: Function[] = [Initial1795631210457, Bookings1795633830040, BookingLifecycle1796578427182, Webhooks1796583469663];
