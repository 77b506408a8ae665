import { Column, CreateDateColumn, DataSource, Entity, PrimaryColumn } from 'typeorm';
import { fastInsert, fastInsertUnlessConflict, insertStatements, JsonText, portableInsertPlan, statementsFromPlan } from './insert-rows';

@Entity('docs')
class DocEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'simple-json' })
  doc!: unknown;

  @Column({ type: 'varchar', length: 50 })
  name!: unknown;

  @Column({ type: 'datetime', nullable: true })
  at!: Date | null;

  @Column({ type: 'integer', default: 7 })
  n!: number;

  @Column({ type: 'boolean', default: false })
  flag!: boolean;
}

@Entity('notes')
class NoteEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'simple-json', nullable: true })
  doc!: unknown;

  @Column({ type: Date, nullable: true })
  at!: Date | null;

  @Column({ type: 'integer', default: 7 })
  n!: number;

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;
}

describe('fastInsert', () => {
  let ds: DataSource;

  beforeAll(async () => {
    ds = new DataSource({ type: 'better-sqlite3', database: ':memory:', entities: [DocEntity, NoteEntity], synchronize: true });
    await ds.initialize();
  });
  afterAll(async () => ds.destroy());

  const stored = async (id: string) => ((await ds.query('SELECT doc, name FROM docs WHERE id = ?', [id])) as Array<{ doc: string; name: string }>)[0];

  it('fastInsertUnlessConflict: true when the row went in; false, and the first row kept, when a unique key refused it', async () => {
    expect(await fastInsertUnlessConflict(ds.manager, DocEntity, Object.assign(new DocEntity(), { id: 'u1', doc: { first: true }, name: 'first' }))).toBe(true);
    expect(await fastInsertUnlessConflict(ds.manager, DocEntity, Object.assign(new DocEntity(), { id: 'u1', doc: { second: true }, name: 'second' }))).toBe(false);
    expect(await stored('u1')).toEqual({ doc: '{"first":true}', name: 'first' });
  });

  it('serialises JSON columns, and stores JsonText exactly as given', async () => {
    await fastInsert(ds.manager, DocEntity, [
      Object.assign(new DocEntity(), { id: 'a', doc: { b: 1, a: [true] }, name: 'plain' }),
      Object.assign(new DocEntity(), { id: 'b', doc: new JsonText('{"kept" : "as sent"}'), name: 'text' }),
    ]);
    expect(await stored('a')).toEqual({ doc: '{"b":1,"a":[true]}', name: 'plain' });
    expect(await stored('b')).toEqual({ doc: '{"kept" : "as sent"}', name: 'text' });
    // and TypeORM reads it back as JSON
    expect((await ds.getRepository(DocEntity).findOneByOrFail({ id: 'b' })).doc).toEqual({ kept: 'as sent' });
  });

  it('stores every column type exactly as TypeORM’s own insert does (dates, defaults, booleans, nulls)', async () => {
    const at = new Date(Date.UTC(2027, 0, 2, 3, 4, 5, 67));
    const rows = (id: string) => [
      Object.assign(new DocEntity(), { id: `${id}1`, doc: { x: [1, 'two'] }, name: 'n', at, n: 3, flag: true }),
      Object.assign(new DocEntity(), { id: `${id}2`, doc: [], name: 'm', at: null, flag: false }),
      Object.assign(new DocEntity(), { id: `${id}3`, doc: 'text', name: 'o', at: new Date(Date.UTC(2027, 11, 31, 23, 59, 59, 0)) }),
    ];
    await fastInsert(ds.manager, DocEntity, rows('fast'));
    await ds.manager.insert(DocEntity, rows('orm'));
    const raw = async (prefix: string) =>
      ((await ds.query(`SELECT substr(id, ${prefix.length + 1}) AS k, doc, name, at, n, flag FROM docs WHERE id LIKE '${prefix}%' ORDER BY id`)) as unknown[]);
    expect(await raw('fast')).toEqual(await raw('orm'));
    expect(((await raw('fast'))[0] as { at: string }).at).toBe('2027-01-02 03:04:05.067');
  });

  it('refuses JsonText for a column that is not JSON, and writes nothing', async () => {
    await expect(
      fastInsert(ds.manager, DocEntity, [Object.assign(new DocEntity(), { id: 'c', doc: {}, name: new JsonText('"x"') })]),
    ).rejects.toThrow(/docs\.name, which is not a JSON column/);
    expect(await stored('c')).toBeUndefined();
  });

  it('a portable plan (plain data, for another thread) gives the same statements without TypeORM', async () => {
    // a boolean column needs the driver: that table has no portable plan
    expect(portableInsertPlan(ds, DocEntity)).toBeUndefined();
    const plan = portableInsertPlan(ds, NoteEntity);
    expect(plan).toBeDefined();
    const at = new Date(Date.UTC(2027, 5, 6, 7, 8, 9, 10));
    const rows = [
      Object.assign(new NoteEntity(), { id: 'p1', doc: { a: [1] }, at, n: 2, createdAt: at }),
      Object.assign(new NoteEntity(), { id: 'p2', doc: new JsonText('{"as" : "sent"}'), at: null, createdAt: at }),
      // a plain object does as well as an entity
      { id: 'p3', doc: null, at, createdAt: at },
    ];
    const statements = statementsFromPlan(structuredClone(plan!), rows);
    expect(statements).toEqual(insertStatements(ds, NoteEntity, rows as NoteEntity[]));
    expect(statements[0].params.slice(0, 5)).toEqual(['p1', '{"a":[1]}', '2027-06-06 07:08:09.010', 2, '2027-06-06 07:08:09.010']);
    for (const st of statements) await ds.query(st.sql, st.params);
    const back = await ds.getRepository(NoteEntity).find({ order: { id: 'ASC' } });
    expect(back.map((r) => [r.id, r.doc, r.at?.toISOString() ?? null, r.n])).toEqual([
      ['p1', { a: [1] }, at.toISOString(), 2],
      ['p2', { as: 'sent' }, null, 7],
      ['p3', null, at.toISOString(), 7],
    ]);
    // a value only TypeORM's driver could convert is refused, not stored wrongly
    expect(() => statementsFromPlan(plan!, [{ id: 'p4', at: '2027-01-01' }])).toThrow(/notes\.at: this value needs TypeORM's driver/);
  });
});
