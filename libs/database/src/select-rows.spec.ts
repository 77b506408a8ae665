import { DataSource } from 'typeorm';
import { BookEntity, SQL_TEST_ENTITIES, type Book } from '../../../test/support/sql-entities';
import { fastSelect, fastSelectEach, LookupInTurns } from './select-rows';

describe('fastSelect', () => {
  let ds: DataSource;
  const due = new Date('2026-12-03T04:05:06.789Z');

  beforeAll(async () => {
    ds = new DataSource({ type: 'better-sqlite3', database: ':memory:', entities: SQL_TEST_ENTITIES, synchronize: true });
    await ds.initialize();
    const books: Book[] = [
      { id: 'a', shelfKey: 's1', state: 'IN', doc: { title: 'A', tags: ['x'] }, dueAt: due, lent: true, price: '12.30' },
      { id: 'b', shelfKey: 's1', state: 'IN', doc: null, dueAt: null, lent: false, price: null },
      { id: 'c', shelfKey: 's2', state: 'IN', doc: [1, 2], dueAt: new Date('2027-01-01T00:00:00.000Z'), lent: false, price: '0.05' },
    ];
    await ds.manager.save(books.map((b) => Object.assign(new BookEntity(), b, { shelf: null })));
  });
  afterAll(async () => ds.destroy());

  const columns = ['id', 'shelfKey', 'doc', 'dueAt', 'lent', 'price'] as const;

  it('reads back what find reads: JSON, dates, booleans, transformers and NULLs hydrated by the driver', async () => {
    for (const id of ['a', 'b', 'c']) {
      const [row] = await fastSelect(ds.manager, BookEntity, columns, { id });
      const found = await ds.getRepository(BookEntity).findOne({ where: { id }, select: [...columns] });
      expect(row).toEqual({ ...found });
    }
    const [a] = await fastSelect(ds.manager, BookEntity, columns, { id: 'a' });
    expect(a).toEqual({ id: 'a', shelfKey: 's1', doc: { title: 'A', tags: ['x'] }, dueAt: due, lent: true, price: '12.30' });
    expect(a.dueAt).toBeInstanceOf(Date);
  });

  it('filters on every condition, binds values with the driver (a Date, a boolean), and honours the limit', async () => {
    expect((await fastSelect(ds.manager, BookEntity, ['id'], { shelfKey: 's1' })).map((r) => r.id).sort()).toEqual(['a', 'b']);
    expect(await fastSelect(ds.manager, BookEntity, ['id'], { shelfKey: 's1', id: 'c' })).toEqual([]);
    expect(await fastSelect(ds.manager, BookEntity, ['id'], { dueAt: due })).toEqual([{ id: 'a' }]);
    expect(await fastSelect(ds.manager, BookEntity, ['id'], { lent: true })).toEqual([{ id: 'a' }]);
    expect(await fastSelect(ds.manager, BookEntity, ['id'], { price: '0.05' })).toEqual([{ id: 'c' }]);
    expect(await fastSelect(ds.manager, BookEntity, ['id'], { shelfKey: 's1' }, 1)).toHaveLength(1);
    expect(await fastSelect(ds.manager, BookEntity, ['id'], { id: 'missing' })).toEqual([]);
  });

  it('sends the same SQL text every time for the same shape, with the values bound, not written into it', async () => {
    // SQLite's driver has one query runner, the one every statement goes through
    const query = jest.spyOn(ds.createQueryRunner(), 'query');
    await fastSelect(ds.manager, BookEntity, ['id', 'dueAt'], { id: 'a', shelfKey: 's1' }, 1);
    await fastSelect(ds.manager, BookEntity, ['id', 'dueAt'], { id: 'c', shelfKey: 's2' }, 1);
    expect(query.mock.calls.map((c) => c[0])).toEqual([
      'SELECT "id", "due_at" FROM "books" WHERE "id" = ? AND "shelf_key" = ? LIMIT 1',
      'SELECT "id", "due_at" FROM "books" WHERE "id" = ? AND "shelf_key" = ? LIMIT 1',
    ]);
    expect(query.mock.calls.map((c) => c[1])).toEqual([
      ['a', 's1'],
      ['c', 's2'],
    ]);
    query.mockRestore();
  });

  it('refuses a condition on null or undefined (column = NULL would match nothing)', async () => {
    await expect(fastSelect(ds.manager, BookEntity, ['id'], { dueAt: null })).rejects.toThrow('BookEntity.dueAt is compared with null');
    await expect(fastSelect(ds.manager, BookEntity, ['id'], { id: undefined as unknown as string })).rejects.toThrow('BookEntity.id is compared with undefined');
  });

  it('refuses a property that is not a plain column of the entity', async () => {
    await expect(fastSelect(ds.manager, BookEntity, ['shelf'], { id: 'a' })).rejects.toThrow('BookEntity.shelf is not a plain column');
    await expect(fastSelect(ds.manager, BookEntity, ['id'], { nope: 1 } as unknown as { id: string })).rejects.toThrow('BookEntity.nope is not a plain column');
  });

  describe('fastSelectEach (several reads of one shape in one query)', () => {
    it('answers each filter with what fastSelect alone answers, in the filters\' order, the limit per filter', async () => {
      const filters = [{ shelfKey: 's2' }, { shelfKey: 'none' }, { shelfKey: 's1' }, { shelfKey: 's2' }];
      const each = await fastSelectEach(ds.manager, BookEntity, columns, filters);
      const alone = await Promise.all(filters.map((f) => fastSelect(ds.manager, BookEntity, columns, f)));
      expect(each.map((rows) => rows.map((r) => r.id).sort())).toEqual([['c'], [], ['a', 'b'], ['c']]);
      expect(each.map((rows) => [...rows].sort((x, y) => x.id.localeCompare(y.id)))).toEqual(alone.map((rows) => [...rows].sort((x, y) => x.id.localeCompare(y.id))));
      expect(each[0][0].dueAt).toBeInstanceOf(Date);
      const limited = await fastSelectEach(ds.manager, BookEntity, ['id'], [{ shelfKey: 's1' }, { shelfKey: 's2' }], 1);
      expect(limited.map((rows) => rows.length)).toEqual([1, 1]);
      expect(await fastSelectEach(ds.manager, BookEntity, ['id'], [])).toEqual([]);
    });

    it('one query, one SQL text per number of filters, the values bound', async () => {
      const query = jest.spyOn(ds.createQueryRunner(), 'query');
      await fastSelectEach(ds.manager, BookEntity, ['id'], [{ id: 'a', shelfKey: 's1' }, { id: 'c', shelfKey: 's2' }], 1);
      await fastSelectEach(ds.manager, BookEntity, ['id'], [{ id: 'b', shelfKey: 's1' }, { id: 'x', shelfKey: 's9' }], 1);
      const part = (f: number) => `SELECT * FROM (SELECT ${f} AS "fast_select_filter", "id" FROM "books" WHERE "id" = ? AND "shelf_key" = ? LIMIT 1) AS "f${f}"`;
      expect(query.mock.calls.map((c) => c[0])).toEqual([`${part(0)} UNION ALL ${part(1)}`, `${part(0)} UNION ALL ${part(1)}`]);
      expect(query.mock.calls.map((c) => c[1])).toEqual([
        ['a', 's1', 'c', 's2'],
        ['b', 's1', 'x', 's9'],
      ]);
      query.mockRestore();
    });

    it('LookupInTurns on SQLite: each lookup at once, as fastSelect with LIMIT 1 (in process, nothing to share)', async () => {
      const query = jest.spyOn(ds.createQueryRunner(), 'query');
      const reads = new LookupInTurns<BookEntity, 'id', 'shelfKey'>(ds.manager, BookEntity, ['id']);
      const [s1, s2] = await Promise.all([reads.read({ shelfKey: 's2' }), reads.read({ shelfKey: 'none' })]);
      expect([s1, s2]).toEqual([{ id: 'c' }, undefined]);
      expect(query.mock.calls.map((c) => c[0])).toEqual(Array(2).fill('SELECT "id" FROM "books" WHERE "shelf_key" = ? LIMIT 1'));
      query.mockRestore();
    });

    it('refuses filters of different columns, and a comparison with null', async () => {
      await expect(fastSelectEach(ds.manager, BookEntity, ['id'], [{ id: 'a' }, { shelfKey: 's1' } as unknown as { id: string }])).rejects.toThrow('every filter compares id');
      await expect(fastSelectEach(ds.manager, BookEntity, ['id'], [{ id: 'a' }, { id: null as unknown as string }])).rejects.toThrow('BookEntity.id is compared with null');
    });
  });
});
