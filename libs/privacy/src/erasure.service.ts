import { createHash } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditService } from '@app/audit';
import { BundlesService } from '@app/bundles';
import { Clock, DomainError, InvalidError, newId } from '@app/core';
import { TransactionRunner, type Engine } from '@app/database';
import { PartnersService } from '@app/partners';
import type { ErasureTable } from './erasure.sql';
import { ErasureRepository, type ErasureWrites, type StoredBooking, type StoredDocuments, type StoredOffer } from './erasure.repository';
import { ERASURE_AUDIT_ACTION, type ErasureContext, type ErasureRequest, type ErasureResult, type Identifier } from './erasure.types';
import { lookupKey, normaliseCustomerId, normaliseEmail, requestCustomerId, requestEmail } from './lookup-key';
import { schemaRefusesErased } from './request-schema';
import { collectPersonalValues, eraseDocument, personalValuePattern, type FieldPath } from './scrub';

/** The identifier of a request, normalised; a 422 when it names none or both (the HTTP layer checks first). */
export function identifierOf(request: Pick<ErasureRequest, 'email' | 'customerId'>): Identifier {
  const email = request.email === undefined ? undefined : normaliseEmail(request.email);
  const customerId = request.customerId === undefined ? undefined : normaliseCustomerId(request.customerId);
  if ((email === undefined) === (customerId === undefined)) {
    throw new InvalidError('validation_error', 'Request validation failed', {
      email: ['give either email or customer_id'],
      customer_id: ['give either email or customer_id'],
    });
  }
  if (email === null) throw new InvalidError('validation_error', 'Request validation failed', { email: ['must be an e-mail address'] });
  if (customerId === null) throw new InvalidError('validation_error', 'Request validation failed', { customer_id: ['must not be empty'] });
  return email !== undefined ? { kind: 'email', value: email } : { kind: 'customer_id', value: customerId as string };
}

/** SHA-256 (hex) of a normalised identifier: what the audit log keeps instead of it. */
export function identifierHash(identifier: Identifier): string {
  return createHash('sha256').update(identifier.value, 'utf8').digest('hex');
}

/** The offers and bookings of one person, and everything stored about them. */
interface Found {
  offers: StoredOffer[];
  bookings: StoredBooking[];
  bookingItems: StoredDocuments[];
  bookingEvents: StoredDocuments[];
  bookingChanges: StoredDocuments[];
  optOuts: StoredDocuments[];
  deliveries: StoredDocuments[];
  idempotencyRecords: StoredDocuments[];
}

/** how much older than its offer an idempotency record about it may be (its key is read before the offer is built) */
const RECORD_MARGIN_MS = 24 * 3_600_000;

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * Erasure of a person (GDPR Art. 17) in one partner's data. The offers whose create-offer request
 * carries the person's e-mail or customer id, the bookings whose policyholder has the e-mail, the
 * offers of those bookings and the bookings of those offers are found through their lookup keys
 * (indexed) and checked against their content; in them and in everything stored about them the
 * personal fields (PERSONAL_FIELDS) become "[erased]", and so does any other text holding one of
 * the person's values. Amounts, dates, statuses, product codes, ids and partner_transaction_id
 * are kept. One transaction with its audit entry, then the old versions of the rows are discarded
 * from the database files (TransactionRunner.discardOldVersions). The identifier is never logged
 * nor stored: the audit entry has its SHA-256.
 */
@Injectable()
export class ErasureService {
  private readonly logger = new Logger(ErasureService.name);

  constructor(
    private readonly partners: PartnersService,
    private readonly bundles: BundlesService,
    private readonly audit: AuditService,
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
    private readonly repo: ErasureRepository,
  ) {}

  async erase(request: ErasureRequest, ctx: ErasureContext): Promise<ErasureResult> {
    const identifier = identifierOf(request);
    const partner = await this.partners.get(request.partnerCode);
    const id = newId();
    const started = Date.now();
    const engine = this.tx.engine;
    const done = await this.tx.run(async (m) => {
      try {
        return await this.eraseIn(m, engine, partner, identifier, id, ctx);
      } catch (e) {
        throw withoutPersonalData(e);
      }
    });

    // the old versions of the rows out of the database files: after the commit, outside the transaction
    try {
      const discarded = await this.tx.discardOldVersions(done.tables);
      if (!discarded)
        this.logger.warn(
          { erasure_id: id },
          'erasure committed, but the SQLite WAL could not be truncated (the database stayed busy): the next erasure or checkpoint does it',
        );
    } catch (e) {
      this.logger.error({ erasure_id: id, err: e }, 'erasure committed, but discarding the old row versions failed');
    }
    this.logger.log({ erasure_id: id, partner: partner.code, offers: done.offers, bookings: done.bookings, ms: Date.now() - started }, 'erasure done');
    return { id, offers: done.offers, bookings: done.bookings, completedAt: this.clock.now() };
  }

  /** The erasure's reads, writes and audit entry, in the transaction of `m`. */
  private async eraseIn(
    m: EntityManager,
    engine: Engine,
    partner: { id: string; code: string },
    identifier: Identifier,
    id: string,
    ctx: ErasureContext,
  ): Promise<{ offers: number; bookings: number; tables: ErasureTable[] }> {
    const found = await this.find(m, engine, partner.id, identifier);
    const writes = await this.erased(partner.code, found, identifier);
    await this.repo.write(m, engine, partner.id, writes);
    await this.audit.record(
      {
        actor: ctx.actor,
        requestId: ctx.requestId,
        action: ERASURE_AUDIT_ACTION,
        partnerCode: partner.code,
        targetType: 'person',
        targetId: id,
        before: null,
        after: {
          identifier_type: identifier.kind,
          identifier_sha256: identifierHash(identifier),
          offers: found.offers.length,
          bookings: found.bookings.length,
        },
      },
      m,
    );
    return { offers: found.offers.length, bookings: found.bookings.length, tables: touchedTables(writes) };
  }

  /** The person's offers and bookings (candidates by key, checked against their content) and what is stored about them. */
  private async find(m: EntityManager, engine: Engine, partnerId: string, identifier: Identifier): Promise<Found> {
    const key = lookupKey(partnerId, identifier.kind, identifier.value);
    const offers = new Map<string, StoredOffer>();
    for (const o of await this.repo.offersByKey(m, engine, partnerId, identifier.kind, key)) {
      const value = identifier.kind === 'email' ? normaliseEmail(requestEmail(o.request)) : normaliseCustomerId(requestCustomerId(o.request));
      if (value === identifier.value) offers.set(o.id, o);
    }
    const bookingIds = new Set<string>();
    if (identifier.kind === 'email') {
      for (const b of await this.repo.bookingsByEmailKey(m, engine, partnerId, key)) {
        const policyholder = b.policyholder as { email?: unknown } | null;
        if (normaliseEmail(policyholder?.email) === identifier.value) bookingIds.add(b.id);
      }
    }
    // the offers of those bookings, and the bookings of those offers
    const bookingsOfOffers = [...offers.values()].map((o) => o.bookingId).filter((b): b is string => b !== null);
    const bookings = await this.repo.bookingsByIds(m, engine, partnerId, [...new Set([...bookingIds, ...bookingsOfOffers])]);
    const missingOffers = bookings.map((b) => b.offerId).filter((o) => !offers.has(o));
    for (const o of await this.repo.offersByIds(m, engine, partnerId, [...new Set(missingOffers)])) offers.set(o.id, o);

    const offerIds = [...offers.keys()];
    const ids = bookings.map((b) => b.id);
    // one statement after the other: they share the transaction's connection
    const bookingItems = await this.repo.bookingItems(m, engine, ids);
    const bookingEvents = await this.repo.bookingEvents(m, engine, ids);
    const bookingChanges = await this.repo.bookingChanges(m, engine, ids);
    const optOuts = await this.repo.optOuts(m, engine, offerIds);
    const eventIds = [...bookingEvents.map((e) => e.id), ...optOuts.map((o) => o.id)];
    // a record about an offer is not older than the offer, give or take its request's own time (a day's margin)
    const first = [...offers.values()].reduce((min, o) => Math.min(min, o.createdAt.getTime()), Number.POSITIVE_INFINITY);
    const since = offers.size === 0 ? null : new Date(first - RECORD_MARGIN_MS);
    const deliveries = await this.repo.deliveries(m, engine, partnerId, eventIds);
    const idempotencyRecords = since === null ? [] : await this.repo.idempotencyRecords(m, engine, partnerId, since, [...offerIds, ...ids]);
    return { offers: [...offers.values()], bookings, bookingItems, bookingEvents, bookingChanges, optOuts, deliveries, idempotencyRecords };
  }

  /** Every document of `found` erased; the related rows only where something changed. */
  private async erased(partnerCode: string, found: Found, identifier: Identifier): Promise<ErasureWrites> {
    // the person's values, from every personal field of every document: blanked out of the rest
    const values = new Set<string>([identifier.value]);
    for (const o of found.offers) collectPersonalValues(o.request, values);
    for (const b of found.bookings) {
      collectPersonalValues(b.policyholder, values, ['policyholder']);
      collectPersonalValues(b.context, values, ['context']);
      collectPersonalValues(b.response, values);
    }
    for (const i of found.bookingItems) collectPersonalValues(i.docs.insured, values, ['insured']);
    for (const rows of [found.bookingEvents, found.bookingChanges, found.optOuts, found.deliveries, found.idempotencyRecords]) {
      for (const r of rows) for (const doc of Object.values(r.docs)) collectPersonalValues(doc, values);
    }
    const pattern = personalValuePattern(values);
    const erase = (doc: unknown, root: readonly string[] = [], removeField?: (path: FieldPath) => boolean) =>
      eraseDocument(doc, { values: pattern, root, removeField });

    const schemas = await this.requestSchemas(partnerCode, found.offers);
    const related = (rows: StoredDocuments[], roots: Record<string, readonly string[]> = {}): StoredDocuments[] =>
      rows
        .map((r) => ({ id: r.id, before: r.docs, docs: Object.fromEntries(Object.entries(r.docs).map(([c, d]) => [c, erase(d, roots[c] ?? [])])) }))
        .filter((r) => !same(r.before, r.docs))
        .map(({ id, docs }) => ({ id, docs }));
    return {
      offers: found.offers.map((o) => {
        const schema = schemas.get(`${o.bundleVersion}\n${o.schemaId}`);
        return {
          id: o.id,
          request: erase(o.request, [], schema === undefined ? undefined : (path) => schemaRefusesErased(schema, path)),
          response: erase(o.response),
        };
      }),
      bookings: found.bookings.map((b) => ({
        id: b.id,
        policyholder: erase(b.policyholder, ['policyholder']),
        context: erase(b.context, ['context']),
        response: erase(b.response),
      })),
      bookingItems: related(found.bookingItems, { insured: ['insured'] }),
      bookingEvents: related(found.bookingEvents),
      bookingChanges: related(found.bookingChanges),
      optOuts: related(found.optOuts),
      deliveries: related(found.deliveries),
      idempotencyRecords: related(found.idempotencyRecords),
    };
  }

  /** The JSON Schema each offer's request was validated with, by bundle version and schema id (absent: not found). */
  private async requestSchemas(partnerCode: string, offers: readonly StoredOffer[]): Promise<Map<string, unknown>> {
    const out = new Map<string, unknown>();
    const versions = new Map<number, Promise<{ schemas: Array<{ id: string; json_schema: unknown }> } | null>>();
    for (const o of offers) {
      const key = `${o.bundleVersion}\n${o.schemaId}`;
      if (out.has(key)) continue;
      let bundle = versions.get(o.bundleVersion);
      if (!bundle) {
        bundle = this.bundles.getVersion(partnerCode, o.bundleVersion).then(
          (v) => v.bundle,
          () => null,
        );
        versions.set(o.bundleVersion, bundle);
      }
      const schema = (await bundle)?.schemas.find((s) => s.id === o.schemaId)?.json_schema;
      if (schema !== undefined) out.set(key, schema);
    }
    return out;
  }
}

function touchedTables(w: ErasureWrites): ErasureTable[] {
  const out: ErasureTable[] = [];
  const add = (table: ErasureTable, rows: readonly unknown[]) => {
    if (rows.length > 0) out.push(table);
  };
  add('offers', w.offers);
  add('bookings', w.bookings);
  add('booking_items', w.bookingItems);
  add('booking_events', w.bookingEvents);
  add('booking_changes', w.bookingChanges);
  add('opt_out_events', w.optOuts);
  add('webhook_deliveries', w.deliveries);
  add('idempotency_records', w.idempotencyRecords);
  return out;
}

/**
 * An error of the erasure as it may be logged: what the database said (its code and message, which
 * never hold the bound values) or the kind of error, never the values a statement was bound with
 * nor a piece of a document (TypeORM's QueryFailedError carries its parameters; a JSON parse error
 * quotes the text). Domain errors (404, 422) go as they are.
 */
function withoutPersonalData(e: unknown): unknown {
  if (e instanceof DomainError) return e;
  const source = (typeof e === 'object' && e !== null ? e : {}) as { name?: unknown; code?: unknown; driverError?: { code?: unknown; message?: unknown } };
  const fromDatabase = source.name === 'QueryFailedError' && typeof source.driverError?.message === 'string';
  const out = new Error(`erasure failed: ${fromDatabase ? String(source.driverError?.message) : typeof source.name === 'string' ? source.name : 'error'}`);
  out.name = 'ErasureError';
  const code = typeof source.code === 'string' ? source.code : typeof source.driverError?.code === 'string' ? source.driverError.code : undefined;
  if (code !== undefined) Object.assign(out, { code });
  return out;
}
