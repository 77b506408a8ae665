import { Injectable } from '@nestjs/common';
import { CelEnvironment, type CelBookingQuote, type CelVars, type OfferConfig, type Product } from '@app/core';
import { BundlesService, type ActiveConfig } from '@app/bundles';
import { applyOverrides, storedAssignments } from '@app/experiments';
import { CompiledSchemas, type CompiledSchema } from '../../compiled-schemas';
import type { BookedOffer } from './booking-changes.sql';

/** Bundle versions whose compiled schema and config are kept (a version never changes). */
const MAX_CACHED_VERSIONS = 64;

/**
 * What a change of a booking is decided with: the offer config of the bundle version the offer
 * was created under, its products with the offer's experiment variants applied, and that
 * version's schema compiled (request validation, pricing expressions, and the expressions of the
 * products' `cancellation` and `modification` blocks, which see the booked quote).
 */
export interface BookingTerms {
  compiled: CompiledSchema;
  /** by product code, the variant's overrides applied */
  products: ReadonlyMap<string, Product>;
  /** evaluates a `cancellation`/`modification` expression with `quote` = the booked quote */
  evaluateForQuote(expr: string, vars: CelVars, quote: CelBookingQuote): unknown;
}

interface VersionEntry {
  compiled: CompiledSchema;
  config: OfferConfig;
  bookingEnv: CelEnvironment;
}

/** Loads and keeps the terms of the bundle versions bookings were made under. */
@Injectable()
export class BookingTermsService {
  private readonly versions = new Map<string, Promise<VersionEntry | null>>();

  constructor(
    private readonly bundles: BundlesService,
    private readonly schemas: CompiledSchemas,
  ) {}

  /**
   * The terms of `offer`, or null when its bundle version, schema or offer config cannot be found
   * (a partner's history is never rewritten, so this means the data was altered by hand).
   */
  async termsOf(partner: { id: string; code: string }, offer: BookedOffer, offerConfigId: string): Promise<BookingTerms | null> {
    const entry = await this.versionEntry(partner, offer.bundleVersion, offer.schemaId, offerConfigId);
    if (!entry) return null;
    const { products } = applyOverrides(entry.config.products, storedAssignments(entry.config.experiments, offer.experiments));
    return {
      compiled: entry.compiled,
      products: new Map(products.map((p) => [p.code, p])),
      evaluateForQuote: (expr, vars, quote) => entry.bookingEnv.compile(expr).evaluate({ ...vars, bookingQuote: quote }),
    };
  }

  private versionEntry(partner: { id: string; code: string }, version: number, schemaId: string, configId: string): Promise<VersionEntry | null> {
    const key = `${partner.id}:${version}:${schemaId}:${configId}`;
    let entry = this.versions.get(key);
    if (!entry) {
      entry = this.load(partner, version, schemaId, configId);
      // a failed load is not kept: the next change tries again
      entry.catch(() => this.versions.delete(key));
      if (this.versions.size >= MAX_CACHED_VERSIONS) this.versions.delete(this.versions.keys().next().value as string);
      this.versions.set(key, entry);
    }
    return entry;
  }

  private async load(partner: { id: string; code: string }, version: number, schemaId: string, configId: string): Promise<VersionEntry | null> {
    const { bundle } = await this.bundles.getVersion(partner.code, version);
    const config = bundle.offer_configs.find((c) => c.id === configId);
    const schema = bundle.schemas.find((s) => s.id === schemaId);
    if (!config || !schema) return null;
    const active: ActiveConfig = {
      partnerId: partner.id,
      partnerCode: partner.code,
      version,
      defaultSchema: null,
      rateLimits: { create: 0, confirm: 0, other: 0, test: 0 },
      schemas: bundle.schemas,
      configs: bundle.offer_configs,
    };
    const compiled = this.schemas.compileDetached(active, schemaId);
    if (!compiled) return null;
    return { compiled, config, bookingEnv: CelEnvironment.forSchema(schema.json_schema, { bookingQuote: true }) };
  }
}
