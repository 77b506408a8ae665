import { Column, Entity, ManyToOne, PrimaryColumn } from 'typeorm';

/** Entities of the fastSelect / fastUpdate specs (libs/database), on a throwaway in-memory SQLite database. */

@Entity('shelves')
export class ShelfEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;
}

/** a value kept in cents, read back as a string with two decimals */
const cents = { to: (v: string | null) => (v === null ? null : Math.round(Number(v) * 100)), from: (v: number | null) => (v === null ? null : (v / 100).toFixed(2)) };

@Entity('books')
export class BookEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'shelf_key', type: 'varchar', length: 36 })
  shelfKey!: string;

  @Column({ type: 'varchar', length: 16 })
  state!: string;

  @Column({ type: 'simple-json', nullable: true })
  doc!: unknown;

  @Column({ name: 'due_at', type: 'datetime', nullable: true })
  dueAt!: Date | null;

  @Column({ type: 'boolean', default: false })
  lent!: boolean;

  @Column({ type: 'integer', nullable: true, transformer: cents })
  price!: string | null;

  @ManyToOne(() => ShelfEntity, { nullable: true })
  shelf!: ShelfEntity | null;
}

export type Book = Omit<BookEntity, 'shelf'>;

export const SQL_TEST_ENTITIES = [ShelfEntity, BookEntity];
