import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock, packingDictionary, packingDictionaryText, type PackingDictionary } from '@app/core';
import { dateParam, preparedQuery, TransactionRunner } from '@app/database';
import { PackingDictionaryRegistry, packingScope, type SharedDictionary } from './packing-dictionaries';

/** $1 partner id, $2 offer config id, $3 bundle version, $4 id, $5 content, $6 created at */
export const SQLITE_INSERT_PACKING_DICTIONARY = `
  INSERT INTO packing_dictionaries (partner_id, offer_config_id, bundle_version, id, content, created_at)
  VALUES (?, ?, ?, ?, ?, ?)
  ON CONFLICT DO NOTHING`;

export const SQLITE_SELECT_PACKING_DICTIONARIES = `
  SELECT partner_id, offer_config_id, bundle_version, id, content
  FROM packing_dictionaries`;

interface DictionaryRow {
  partner_id: string;
  offer_config_id: string;
  bundle_version: number;
  id: string;
  content: string;
}

function dictionaryRow(r: Record<string, unknown>): DictionaryRow {
  return {
    partner_id: String(r.partner_id),
    offer_config_id: String(r.offer_config_id),
    bundle_version: Number(r.bundle_version),
    id: String(r.id),
    content: String(r.content),
  };
}

/** What a stored offer gives to make its configuration's dictionary. */
export interface DictionarySample {
  partnerId: string;
  offerConfigId: string;
  bundleVersion: number;
  requestJson: string;
  responseJson: string;
}

/**
 * The packing dictionaries of this database (SQLite only: on PostgreSQL offers stay JSON text and
 * there are none). All are loaded at start, before any offer is read. The first offer stored of
 * an offer configuration of a bundle version is packed without one; from it the configuration's
 * dictionary is made (packingDictionaryText: nothing of its request is kept), committed, and only
 * then used, here and in every build thread (`onAdded`), so no offer is stored against a
 * dictionary that is not in the database.
 */
@Injectable()
export class PackingDictionaries implements OnModuleInit {
  private readonly logger = new Logger('PackingDictionaries');
  private readonly registry = new PackingDictionaryRegistry();
  /** configurations whose dictionary is being written, and those writes */
  private readonly writing = new Map<string, Promise<void>>();
  private readonly listeners: Array<(d: SharedDictionary) => void> = [];

  constructor(
    private readonly dataSource: DataSource,
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
  ) {}

  get enabled(): boolean {
    return this.tx.engine === 'sqlite';
  }

  async onModuleInit(): Promise<void> {
    if (!this.enabled) return;
    const { rows } = await preparedQuery(this.dataSource.manager, SQLITE_SELECT_PACKING_DICTIONARIES, []);
    for (const row of rows) this.keep(dictionaryRow(row));
  }

  /** The dictionary to pack an offer of this configuration against; none yet (or on PostgreSQL): packed without. */
  for(partnerId: string, offerConfigId: string, bundleVersion: number): PackingDictionary | undefined {
    return this.registry.get(packingScope(partnerId, offerConfigId, bundleVersion));
  }

  /** every dictionary, for a build thread that starts */
  all(): readonly SharedDictionary[] {
    return this.registry.all();
  }

  /** `listener` is called with each dictionary added from now on */
  onAdded(listener: (d: SharedDictionary) => void): void {
    this.listeners.push(listener);
  }

  /**
   * After an offer is stored: makes its configuration's dictionary from it when there is none yet
   * (in the background; a failure is logged, and the next offer tries again).
   */
  learnFrom(sample: DictionarySample): void {
    if (!this.enabled) return;
    const scope = packingScope(sample.partnerId, sample.offerConfigId, sample.bundleVersion);
    if (this.registry.has(scope) || this.writing.has(scope)) return;
    const written = this.write(sample)
      .catch((e: unknown) =>
        this.logger.warn(
          `could not store the packing dictionary of ${sample.offerConfigId} (version ${sample.bundleVersion}): ${e instanceof Error ? e.message : String(e)}`,
        ),
      )
      .finally(() => this.writing.delete(scope));
    this.writing.set(scope, written);
  }

  /** Resolves once the dictionaries being written are stored (or have failed). */
  async idle(): Promise<void> {
    while (this.writing.size > 0) await Promise.all(this.writing.values());
  }

  private async write(sample: DictionarySample): Promise<void> {
    const text = packingDictionaryText(sample.requestJson, sample.responseJson);
    const { id } = packingDictionary(text);
    const created = dateParam('sqlite', this.clock.now());
    await this.tx.runStatements([
      { sql: SQLITE_INSERT_PACKING_DICTIONARY, params: [sample.partnerId, sample.offerConfigId, sample.bundleVersion, id, text, created] },
    ]);
    // the row in the database is the dictionary, whoever wrote it
    const { rows } = await preparedQuery(
      this.dataSource.manager,
      `${SQLITE_SELECT_PACKING_DICTIONARIES} WHERE partner_id = ? AND offer_config_id = ? AND bundle_version = ?`,
      [sample.partnerId, sample.offerConfigId, sample.bundleVersion],
    );
    for (const row of rows) this.keep(dictionaryRow(row));
  }

  private keep(row: DictionaryRow): void {
    const scope = packingScope(row.partner_id, row.offer_config_id, row.bundle_version);
    if (this.registry.has(scope)) return;
    const dictionary = this.registry.add(scope, row.content);
    if (dictionary.id !== row.id) {
      this.logger.error(`packing dictionary of ${row.offer_config_id} (version ${row.bundle_version}) does not match its id ${row.id}`);
    }
    for (const listener of this.listeners) listener({ scope, text: row.content });
  }
}
