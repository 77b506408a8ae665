import { Column, DataSource, Entity, PrimaryColumn } from 'typeorm';
import { fastInsert, JsonText } from './insert-rows';

@Entity('docs')
class DocEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'simple-json' })
  doc!: unknown;

  @Column({ type: 'varchar', length: 50 })
  name!: unknown;
}

describe('fastInsert', () => {
  let ds: DataSource;

  beforeAll(async () => {
    ds = new DataSource({ type: 'better-sqlite3', database: ':memory:', entities: [DocEntity], synchronize: true });
    await ds.initialize();
  });
  afterAll(async () => ds.destroy());

  const stored = async (id: string) => ((await ds.query('SELECT doc, name FROM docs WHERE id = ?', [id])) as Array<{ doc: string; name: string }>)[0];

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

  it('refuses JsonText for a column that is not JSON, and writes nothing', async () => {
    await expect(
      fastInsert(ds.manager, DocEntity, [Object.assign(new DocEntity(), { id: 'c', doc: {}, name: new JsonText('"x"') })]),
    ).rejects.toThrow(/docs\.name, which is not a JSON column/);
    expect(await stored('c')).toBeUndefined();
  });
});
