import { defaults as pgDefaults } from 'pg';
import { buildDataSourceOptions, parsePgTimestampAsUtc } from './data-source-options';

describe('PostgreSQL timestamps are UTC', () => {
  it.each([
    ['2027-01-15 12:00:00', '2027-01-15T12:00:00.000Z'],
    ['2027-07-15 23:59:59.5', '2027-07-15T23:59:59.500Z'],
    ['2026-10-25 01:30:00.123456', '2026-10-25T01:30:00.123Z'], // microseconds truncated; inside Paris's DST overlap hour
  ])('reads %s as %s, whatever the process time zone', (text, iso) => {
    expect(parsePgTimestampAsUtc(text).toISOString()).toBe(iso);
  });

  it('leaves what is not a plain timestamp to the default parser', () => {
    expect(parsePgTimestampAsUtc('infinity')).toBe(Infinity);
  });

  it('the pool is set up for it: UTC session, UTC type parser, dates sent as UTC', () => {
    const options = buildDataSourceOptions({ databaseUrl: 'postgres://u@h/db', sqlitePath: ':memory:', sqliteSynchronous: 'FULL' }, []);
    const extra = (options as { extra: { options: string; types: { getTypeParser(oid: number, format?: string): unknown } } }).extra;
    expect(extra.options).toBe('-c timezone=UTC');
    expect(extra.types.getTypeParser(1114, 'text')).toBe(parsePgTimestampAsUtc);
    expect(extra.types.getTypeParser(23, 'text')).toEqual(expect.any(Function)); // int4: the default
    expect(pgDefaults.parseInputDatesAsUTC).toBe(true);
  });

  it('says whether the hot paths use named statements (PG_NAMED_STATEMENTS, on unless false)', () => {
    const extra = (pgNamedStatements?: boolean) =>
      (
        buildDataSourceOptions({ databaseUrl: 'postgres://u@h/db', sqlitePath: ':memory:', sqliteSynchronous: 'FULL', pgNamedStatements }, []) as {
          extra: Record<string, unknown>;
        }
      ).extra;
    expect(extra(undefined).offersNamedStatements).toBe(true);
    expect(extra(true).offersNamedStatements).toBe(true);
    expect(extra(false).offersNamedStatements).toBe(false);
  });
});
