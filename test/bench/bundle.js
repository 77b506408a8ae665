'use strict';
/**
 * The benchmark partner: a travel schema of ~20 context fields, 3 offer configs (two whose
 * `when` is false for the benchmark request, so selection really evaluates them), 2 products with
 * full pricing, policy dates, benefits and 3 extra fields each, content in en + fr with
 * placeholders, an experiment with a pricing override, and product rules.
 */

const PARTNER = 'BENCH';

const customer = {
  type: 'object',
  required: ['language', 'currency', 'country'],
  properties: {
    language: { type: 'string', minLength: 2, maxLength: 10 },
    currency: { type: 'string', pattern: '^[A-Z]{3}$' },
    country: { type: 'string', pattern: '^[A-Z]{2}$' },
    email: { type: 'string', format: 'email' },
    ip_address: { type: 'string' },
    region: { type: 'string' },
    postcode: { type: 'string' },
  },
};

const partner = {
  type: 'object',
  properties: {
    subsidiary: { type: 'string' },
    transaction_id: { type: 'string' },
    customer_id: { type: 'string' },
    metadata: { type: 'object' },
  },
};

/** 22 context fields: strings, dates with format, numbers with bounds, integers, enums, arrays, booleans. */
const travelContext = {
  type: 'object',
  required: ['trip_type', 'departure_date', 'return_date', 'destination_country', 'trip_cost', 'travellers'],
  properties: {
    trip_type: { enum: ['single', 'annual', 'cruise'] },
    booking_date: { type: 'string', format: 'date' },
    departure_date: { type: 'string', format: 'date' },
    return_date: { type: 'string', format: 'date' },
    origin_country: { type: 'string', pattern: '^[A-Z]{2}$' },
    destination_country: { type: 'string', pattern: '^[A-Z]{2}$' },
    destinations: { type: 'array', items: { type: 'string', pattern: '^[A-Z]{2}$' }, maxItems: 20 },
    trip_cost: { type: 'number', minimum: 0, maximum: 100000 },
    travellers: { type: 'integer', minimum: 1, maximum: 20 },
    adults: { type: 'integer', minimum: 0, maximum: 20 },
    children: { type: 'integer', minimum: 0, maximum: 20 },
    traveller_ages: { type: 'array', items: { type: 'integer', minimum: 0, maximum: 120 }, maxItems: 20 },
    booking_reference: { type: 'string', maxLength: 64 },
    airline: { type: 'string', maxLength: 64 },
    flight_numbers: { type: 'array', items: { type: 'string', maxLength: 10 }, maxItems: 10 },
    cabin_class: { enum: ['economy', 'premium_economy', 'business', 'first'] },
    hotel_nights: { type: 'integer', minimum: 0, maximum: 365 },
    refundable: { type: 'boolean' },
    car_rental: { type: 'boolean' },
    booking_channel: { enum: ['web', 'app', 'agent'] },
    loyalty_tier: { enum: ['none', 'silver', 'gold', 'platinum'] },
    pre_existing_conditions: { type: 'boolean' },
  },
};

const startDate = "timestamp(context.departure_date + 'T00:00:00Z')";
const endDate = "timestamp(context.return_date + 'T23:59:59Z')";

/** A small config whose `when` is false for the benchmark request (still fully valid). */
function nonMatchingConfig(id, priority, when) {
  return {
    id,
    name: `Bench ${id}`,
    schema: 'travel:v1',
    status: 'active',
    priority,
    when,
    offer_ttl: '72h',
    products: [
      {
        code: 'TRAVEL_BASIC',
        type: 'xcover-product',
        name: 'Travel basic',
        pricing: { premium: 'context.trip_cost * 0.03', tax_rate: '0.10', commission_rate: '0.25', min_premium: '5.0' },
        policy: { start: startDate, end: endDate },
        benefits: [{ description: 'Trip cancellation', limit: 'context.trip_cost' }],
        pds_url: 'https://example.com/pds/travel-basic.pdf',
      },
    ],
    content: {
      default_language: 'en',
      en: { title: 'Protect your trip', products: { TRAVEL_BASIC: { title: 'Basic cover for {{ quote.price_formatted }}' } } },
    },
  };
}

const BENCH_BUNDLE = {
  partner: {
    code: PARTNER,
    name: 'Benchmark Travel',
    status: 'active',
    default_schema: 'travel:v1',
    // High enough never to throttle the benchmark (the in-memory throttler is a fixed window, O(1)).
    rate_limits: { create: 1000000, confirm: 1000000, other: 1000000, test: 1000000 },
  },
  schemas: [
    {
      id: 'travel:v1',
      description: 'A trip being booked (benchmark)',
      json_schema: {
        $schema: 'http://json-schema.org/draft-07/schema#',
        type: 'object',
        required: ['customer', 'context'],
        properties: { schema: { type: 'string' }, customer, partner, context: travelContext },
      },
    },
  ],
  offer_configs: [
    nonMatchingConfig('bench-cruise', 30, "context.trip_type == 'cruise' && context.trip_cost > 0.0"),
    nonMatchingConfig('bench-domestic', 20, 'has(context.origin_country) && context.origin_country == context.destination_country && context.trip_cost > 0.0'),
    {
      id: 'bench-travel',
      name: 'Travel protection',
      schema: 'travel:v1',
      status: 'active',
      priority: 10,
      when: "customer.country in ['AU', 'NZ', 'GB', 'FR'] && context.trip_cost > 0.0 && context.travellers <= 12",
      access: { key_modes: ['live', 'test'], subsidiaries: ['web', 'app'] },
      offer_ttl: '72h',
      products: [
        {
          code: 'TRAVEL_CANCEL',
          type: 'xcover-product',
          name: 'Trip cancellation',
          pricing: {
            premium:
              "context.trip_cost * 0.045 * (has(context.refundable) && context.refundable ? 0.8 : 1.0) * (has(context.loyalty_tier) && context.loyalty_tier == 'gold' ? 0.95 : 1.0)",
            tax_rate: "customer.country == 'AU' ? 0.10 : (customer.country == 'GB' ? 0.12 : 0.0)",
            surcharge: "has(context.cabin_class) && context.cabin_class == 'first' ? 10.0 : 0.0",
            commission_rate: '0.30',
            min_premium: '5.0',
            max_premium: '2000.0',
          },
          policy: { start: startDate, end: endDate },
          benefits: [
            { description: 'Trip cancellation', limit: 'context.trip_cost' },
            { description: 'Missed connection', limit: '1500.0', excess: '50.0' },
          ],
          pds_url: 'https://example.com/pds/trip-cancellation.pdf',
          files: [{ name: 'Policy wording', url: 'https://example.com/docs/trip-cancellation.pdf', type: 'pdf' }],
          extra_fields: {
            cover_type: "'cancellation'",
            trip_cost: 'context.trip_cost',
            cover_days: `(${endDate} - ${startDate}).getHours() / 24`,
          },
        },
        {
          code: 'TRAVEL_MEDICAL',
          type: 'xcover-product',
          name: 'Emergency medical',
          when: 'context.travellers <= 9.0',
          pricing: {
            premium:
              "(12.0 + 3.5 * context.travellers) * (has(context.cabin_class) && context.cabin_class == 'first' ? 1.2 : 1.0) * (has(context.pre_existing_conditions) && context.pre_existing_conditions ? 1.5 : 1.0)",
            tax_rate: "customer.country == 'AU' ? 0.10 : 0.0",
            commission_rate: '0.25',
            min_premium: '10.0',
            max_premium: '500.0',
          },
          policy: { start: startDate, end: endDate },
          benefits: [
            { description: 'Emergency medical expenses', limit: '1000000.0', excess: '100.0' },
            { description: 'Repatriation', limit: '250000.0' },
          ],
          pds_url: 'https://example.com/pds/emergency-medical.pdf',
          extra_fields: {
            cover_type: "'medical'",
            travellers: 'context.travellers',
            destination: 'context.destination_country',
          },
        },
      ],
      product_rules: [
        {
          slug: 'main',
          products: ['TRAVEL_CANCEL'],
          initial_state: 'show',
          min_select: 0,
          max_select: 1,
          events: [{ on: 'select', product: 'TRAVEL_CANCEL', target: 'addons', set_state: 'show' }],
        },
        { slug: 'addons', products: ['TRAVEL_MEDICAL'], initial_state: 'hide', min_select: 0, max_select: 1, events: [] },
      ],
      content: {
        default_language: 'en',
        en: {
          title: 'Protect your trip to {{ context.destination_country }}',
          description: 'Cover for {{ context.travellers }} traveller(s) before and during your trip.',
          terms_url: 'https://example.com/terms',
          disclaimer: 'Cover is provided by Example Insurance Ltd.',
          products: {
            TRAVEL_CANCEL: {
              title: 'Cancellation cover for {{ quote.price_formatted }}',
              description: 'Get your money back if you have to cancel for a covered reason.',
              benefits: ['Up to {{ quote.benefits[0].limit_formatted }} if you cancel', 'Missed connections up to {{ quote.benefits[1].limit_formatted }}'],
              inclusions: ['Illness or injury', 'Redundancy', 'Natural disasters at your destination'],
              exclusions: ['Changing your mind', 'Known pre-existing conditions'],
              extras: ['14-day cooling-off period'],
              disclaimers: ['Excess of {{ quote.benefits[1].excess_formatted }} on missed connections'],
            },
            TRAVEL_MEDICAL: {
              title: 'Emergency medical for {{ quote.price_formatted }}',
              description: 'Hospital, doctors and getting you home.',
              benefits: ['Medical expenses up to {{ quote.benefits[0].limit_formatted }}'],
              inclusions: ['Hospital stays', 'Emergency dental'],
              exclusions: ['Elective treatment'],
              extras: [],
              disclaimers: ['Excess of {{ quote.benefits[0].excess_formatted }} per claim'],
            },
          },
        },
        fr: {
          title: 'Protégez votre voyage vers {{ context.destination_country }}',
          description: 'Une couverture pour {{ context.travellers }} voyageur(s), avant et pendant votre voyage.',
          terms_url: 'https://example.com/fr/conditions',
          disclaimer: 'Couverture fournie par Example Insurance Ltd.',
          products: {
            TRAVEL_CANCEL: {
              title: 'Assurance annulation pour {{ quote.price_formatted }}',
              description: 'Soyez remboursé si vous devez annuler pour un motif couvert.',
              benefits: ['Jusqu’à {{ quote.benefits[0].limit_formatted }} en cas d’annulation'],
              inclusions: ['Maladie ou accident', 'Licenciement'],
              exclusions: ['Changement d’avis'],
              extras: [],
              disclaimers: [],
            },
            TRAVEL_MEDICAL: {
              title: 'Frais médicaux d’urgence pour {{ quote.price_formatted }}',
              description: 'Hôpital, médecins et rapatriement.',
              benefits: ['Frais médicaux jusqu’à {{ quote.benefits[0].limit_formatted }}'],
              inclusions: [],
              exclusions: [],
              extras: [],
              disclaimers: [],
            },
          },
        },
      },
      experiments: [
        {
          key: 'cancel-price',
          unit: 'partner.customer_id',
          variants: [
            { name: 'a', weight: 50 },
            { name: 'b', weight: 50, overrides: { TRAVEL_CANCEL: { pricing: { premium: 'context.trip_cost * 0.04' } } } },
          ],
        },
      ],
    },
  ],
};

/** The create-offer request of the benchmark; `i` varies the customer (experiments spread) and transaction. */
function benchRequest(i) {
  return {
    schema: 'travel:v1',
    customer: { language: 'en-AU', currency: 'AUD', country: 'AU', email: 'ada@example.com', region: 'NSW', postcode: '2000' },
    context: {
      trip_type: 'single',
      booking_date: '2026-11-25',
      departure_date: '2027-02-01',
      return_date: '2027-02-15',
      origin_country: 'AU',
      destination_country: 'JP',
      destinations: ['JP', 'KR'],
      trip_cost: 2500 + (i % 50) * 10,
      travellers: 2,
      adults: 2,
      children: 0,
      traveller_ages: [34, 36],
      booking_reference: `BENCH-${i}`,
      airline: 'Qantas',
      flight_numbers: ['QF21', 'QF22'],
      cabin_class: 'economy',
      hotel_nights: 14,
      refundable: false,
      car_rental: true,
      booking_channel: 'web',
      loyalty_tier: 'gold',
      pre_existing_conditions: false,
    },
    partner: { subsidiary: 'web', transaction_id: `BOOKING-${i}`, customer_id: `cust-${i}` },
  };
}

const CONFIRM_POLICYHOLDER = { first_name: 'Ada', last_name: 'Lovelace', country: 'AU', email: 'ada@example.com' };

/**
 * For the in-process micro-benchmarks: a function that builds offer i of the benchmark (request
 * `benchRequest(i)`, the benchmark bundle in force) with the build whose `dist/` is `dist`, as
 * Create Offer's build thread does, without HTTP or a database. Each call compiles its own copy of
 * the bundle (CEL environments are memoised per schema object), so two builds share nothing.
 */
function benchOfferBuilder(dist) {
  const { SchemaValidatorCache } = require(`${dist}/libs/schemas/src`);
  const { CompiledSchemas } = require(`${dist}/libs/offers/src/compiled-schemas`);
  const { prepareOffer } = require(`${dist}/libs/offers/src/prepare-offer`);
  const { resolveSchemaId } = require(`${dist}/libs/offers/src/offer-engine`);
  const active = {
    partnerId: 'bench-partner',
    partnerCode: BENCH_BUNDLE.partner.code,
    version: 1,
    defaultSchema: BENCH_BUNDLE.partner.default_schema ?? null,
    rateLimits: { create: 1e9, confirm: 1e9, other: 1e9, test: 1e9 },
    schemas: structuredClone(BENCH_BUNDLE.schemas),
    configs: structuredClone(BENCH_BUNDLE.offer_configs),
  };
  const compiled = new CompiledSchemas(new SchemaValidatorCache());
  compiled.warm(active);
  const caller = { keyId: 'bench-key', partnerId: active.partnerId, partnerCode: active.partnerCode, mode: 'live' };
  const query = { includeContent: true, extraFields: new Set(['tax', 'commission', 'benefits']), excludeOfferIds: [], activeOnly: false };
  const bodies = Array.from({ length: 100 }, (_, i) => JSON.stringify(benchRequest(i)));
  return (i) => {
    const text = bodies[i % bodies.length];
    const body = JSON.parse(text);
    // the schema is resolved where the request arrives (a build that resolves it in prepareOffer ignores schemaId)
    return prepareOffer(compiled, active, { schemaId: resolveSchemaId(active, body), body, caller, query, now: new Date() }, text);
  };
}

module.exports = { PARTNER, BENCH_BUNDLE, benchRequest, benchOfferBuilder, CONFIRM_POLICYHOLDER };
