import { DataSource } from 'typeorm';
import { BookEntity, SQL_TEST_ENTITIES, type Book } from '../../../test/support/sql-entities';
import { fastUpdate, greaterThan, oneOf } from './update-rows';

describe('fastUpdate', () => {
  let ds: DataSource;
  const jan = new Date('2027-01-01T00:00:00.000Z');
  const feb = new Date('2027-02-01T00:00:00.000Z');
  const mar = new Date('2027-03-01T00:00:00.000Z');

  beforeEach(async () => {
    ds = new DataSource({ type: 'better-sqlite3', database: ':memory:', entities: SQL_TEST_ENTITIES, synchronize: true });
    await ds.initialize();
    const books: Book[] = [
      { id: 'a', shelfKey: 's1', state: 'IN', doc: null, dueAt: jan, lent: false, price: '1.00' },
      { id: 'b', shelfKey: 's1', state: 'OUT', doc: null, dueAt: feb, lent: false, price: null },
      { id: 'c', shelfKey: 's1', state: 'LOST', doc: null, dueAt: mar, lent: false, price: null },
      { id: 'd', shelfKey: 's2', state: 'IN', doc: null, dueAt: mar, lent: false, price: null },
    ];
    await ds.manager.save(books.map((b) => Object.assign(new BookEntity(), b, { shelf: null })));
  });
  afterEach(async () => ds.destroy());

  const stored = async (): Promise<Record<string, Book>> => {
    const rows = await ds.getRepository(BookEntity).find({ order: { id: 'ASC' } });
    return Object.fromEntries(rows.map(({ shelf: _shelf, ...r }) => [r.id, r]));
  };

  it('sets what it is given, by the driver (JSON, a Date, a transformer, NULL), on the rows every condition matches, and counts them', async () => {
    const before = await stored();
    const changed = await fastUpdate(
      ds.manager,
      BookEntity,
      { state: 'GONE', doc: { why: ['lost', 'late'] }, dueAt: null, price: '12.30' },
      { shelfKey: 's1', state: oneOf(['IN', 'OUT']), dueAt: greaterThan(jan) },
    );
    expect(changed).toBe(1);
    expect(await stored()).toEqual({ ...before, b: { id: 'b', shelfKey: 's1', state: 'GONE', doc: { why: ['lost', 'late'] }, dueAt: null, lent: false, price: '12.30' } });
    // read back through TypeORM as it was written: the transformer's and the JSON column's raw forms
    expect(await ds.query('SELECT "doc", "price" FROM "books" WHERE "id" = ?', ['b'])).toEqual([{ doc: '{"why":["lost","late"]}', price: 1230 }]);

    await fastUpdate(ds.manager, BookEntity, { dueAt: feb }, { id: 'a' });
    expect((await stored()).a.dueAt).toEqual(feb);
  });

  it('compares with greaterThan strictly, a Date bound as the driver stores it', async () => {
    expect(await fastUpdate(ds.manager, BookEntity, { state: 'LATE' }, { dueAt: greaterThan(feb) })).toBe(2);
    const after = await stored();
    expect(Object.values(after).filter((b) => b.state === 'LATE').map((b) => b.id)).toEqual(['c', 'd']);
  });

  it('matches nothing (0, nothing changed) when a condition fails, and with oneOf([]) sends no query', async () => {
    const before = await stored();
    expect(await fastUpdate(ds.manager, BookEntity, { state: 'X' }, { id: 'a', shelfKey: 's2' })).toBe(0);
    const query = jest.spyOn(ds, 'createQueryRunner');
    expect(await fastUpdate(ds.manager, BookEntity, { state: 'X' }, { id: oneOf<string>([]) })).toBe(0);
    expect(query).not.toHaveBeenCalled();
    query.mockRestore();
    expect(await stored()).toEqual(before);
  });

  it('runs in the transaction of the manager it is given: rolled back with it', async () => {
    await expect(
      ds.transaction(async (m) => {
        expect(await fastUpdate(m, BookEntity, { state: 'OUT' }, { shelfKey: 's1' })).toBe(3);
        expect((await m.getRepository(BookEntity).findOneByOrFail({ id: 'a' })).state).toBe('OUT');
        throw new Error('undo');
      }),
    ).rejects.toThrow('undo');
    expect((await stored()).a.state).toBe('IN');
  });

  it('sends one SQL text per shape, values bound in order (set, then conditions), never written into it', async () => {
    // SQLite's driver has one query runner, the one every statement goes through
    const runner = ds.createQueryRunner();
    const spy = jest.spyOn(runner, 'query');
    await fastUpdate(ds.manager, BookEntity, { state: 'A', price: '0.05' }, { id: oneOf(['a', 'b']), dueAt: greaterThan(jan) });
    await fastUpdate(ds.manager, BookEntity, { state: 'B', price: '7.00' }, { id: oneOf(['c', 'd']), dueAt: greaterThan(feb) });
    await fastUpdate(ds.manager, BookEntity, { state: 'C', price: null }, { id: oneOf(['a', 'b', 'c']), dueAt: greaterThan(feb) });
    const texts = spy.mock.calls.map((c) => [c[0], c[1]]);
    spy.mockRestore();
    const sql2 = 'UPDATE "books" SET "state" = ?, "price" = ? WHERE "id" IN (?, ?) AND "due_at" > ?';
    expect(texts).toEqual([
      [sql2, ['A', 5, 'a', 'b', '2027-01-01 00:00:00.000']],
      [sql2, ['B', 700, 'c', 'd', '2027-02-01 00:00:00.000']],
      ['UPDATE "books" SET "state" = ?, "price" = ? WHERE "id" IN (?, ?, ?) AND "due_at" > ?', ['C', null, 'a', 'b', 'c', '2027-02-01 00:00:00.000']],
    ]);
  });

  it('refuses a condition on null or undefined, an empty SET, and a property that is not a plain column', async () => {
    const before = await stored();
    await expect(fastUpdate(ds.manager, BookEntity, { state: 'X' }, { dueAt: null })).rejects.toThrow('BookEntity.dueAt is compared with null');
    await expect(fastUpdate(ds.manager, BookEntity, { state: 'X' }, { id: oneOf(['a', undefined as unknown as string]) })).rejects.toThrow(
      'BookEntity.id is compared with undefined',
    );
    await expect(fastUpdate(ds.manager, BookEntity, {}, { id: 'a' })).rejects.toThrow('nothing to set on BookEntity');
    await expect(fastUpdate(ds.manager, BookEntity, { shelf: null }, { id: 'a' })).rejects.toThrow('BookEntity.shelf is not a plain column');
    await expect(fastUpdate(ds.manager, BookEntity, { state: 'X' }, { nope: 1 } as unknown as { id: string })).rejects.toThrow('BookEntity.nope is not a plain column');
    expect(await stored()).toEqual(before);
  });
});
