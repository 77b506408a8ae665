import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * The packing dictionary of an offer configuration of a bundle version (SQLite: see
 * @app/core packed-json.ts and packing-dictionary.ts): written once, when the first offer of that
 * configuration is stored, and never changed, since every offer packed with it names it by `id`.
 * It holds the configuration's text without any value of that first offer's request (no personal
 * data). Unused on PostgreSQL, where offers are stored as JSON text.
 */
@Entity('packing_dictionaries')
export class PackingDictionaryEntity {
  @PrimaryColumn({ name: 'partner_id', type: 'varchar', length: 36 })
  partnerId!: string;

  @PrimaryColumn({ name: 'offer_config_id', type: 'varchar', length: 64 })
  offerConfigId!: string;

  @PrimaryColumn({ name: 'bundle_version', type: 'integer' })
  bundleVersion!: number;

  /** the first 8 bytes of the SHA-256 of `content`, in hex: what a packed value names */
  @Column({ type: 'varchar', length: 16 })
  id!: string;

  @Column({ type: 'text' })
  content!: string;

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;
}
