import type { Bundle } from '@app/core';

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

/** A create-offer request for the demo travel config (README curl, tests). */
export const DEMO_TRAVEL_REQUEST = {
  schema: 'travel:v1',
  customer: { language: 'en', currency: 'AUD', country: 'AU', email: 'ada@example.com' },
  context: {
    trip_type: 'single',
    departure_date: '2027-02-01',
    return_date: '2027-02-15',
    origin_country: 'AU',
    destination_country: 'JP',
    trip_cost: 2500,
    travellers: 2,
    cabin_class: 'economy',
  },
  partner: { subsidiary: 'web', transaction_id: 'BOOKING-1001', customer_id: 'cust-42' },
};

/** A create-offer request for the demo parcel config. */
const DEMO_PARCEL_REQUEST = {
  schema: 'parcel:v1',
  customer: { language: 'en', currency: 'AUD', country: 'AU' },
  context: {
    carrier: 'auspost',
    service_level: 'express',
    declared_value: 320,
    weight_kg: 1.2,
    ship_date: '2027-02-01',
    destination_country: 'AU',
    contents_category: 'electronics',
  },
};

/** The DEMO partner seeded on first start (SEED_DEMO): a travel and a parcel offer. */
export const DEMO_BUNDLE: Bundle = {
  partner: { code: 'DEMO', name: 'Demo Travel & Parcels', status: 'active', default_schema: 'travel:v1' },
  schemas: [
    {
      id: 'travel:v1',
      description: 'A trip being booked',
      json_schema: {
        $schema: 'http://json-schema.org/draft-07/schema#',
        // what an instance rehearses when it starts with no stored offer yet (warm-up)
        examples: [DEMO_TRAVEL_REQUEST],
        type: 'object',
        required: ['customer', 'context'],
        properties: {
          schema: { type: 'string' },
          customer,
          partner,
          context: {
            type: 'object',
            required: ['trip_type', 'departure_date', 'return_date', 'destination_country', 'trip_cost', 'travellers'],
            properties: {
              trip_type: { enum: ['single', 'annual'] },
              departure_date: { type: 'string', format: 'date' },
              return_date: { type: 'string', format: 'date' },
              origin_country: { type: 'string', pattern: '^[A-Z]{2}$' },
              destination_country: { type: 'string', pattern: '^[A-Z]{2}$' },
              destinations: { type: 'array', items: { type: 'string' }, maxItems: 20 },
              trip_cost: { type: 'number', minimum: 0, maximum: 100000 },
              travellers: { type: 'integer', minimum: 1, maximum: 20 },
              traveller_ages: { type: 'array', items: { type: 'integer', minimum: 0, maximum: 120 } },
              booking_reference: { type: 'string', maxLength: 64 },
              airline: { type: 'string' },
              cabin_class: { enum: ['economy', 'premium_economy', 'business', 'first'] },
              refundable: { type: 'boolean', default: false },
              hotel_nights: { type: 'integer', minimum: 0 },
              booking_channel: { enum: ['web', 'app', 'agent'] },
            },
          },
        },
      },
    },
    {
      id: 'parcel:v1',
      description: 'A parcel being shipped',
      json_schema: {
        $schema: 'http://json-schema.org/draft-07/schema#',
        examples: [DEMO_PARCEL_REQUEST],
        type: 'object',
        required: ['customer', 'context'],
        properties: {
          schema: { type: 'string' },
          customer,
          partner,
          context: {
            type: 'object',
            required: ['carrier', 'declared_value', 'ship_date', 'destination_country'],
            properties: {
              carrier: { type: 'string' },
              service_level: { enum: ['standard', 'express'] },
              declared_value: { type: 'number', minimum: 0, maximum: 50000 },
              weight_kg: { type: 'number', minimum: 0 },
              ship_date: { type: 'string', format: 'date' },
              origin_postcode: { type: 'string' },
              destination_postcode: { type: 'string' },
              destination_country: { type: 'string', pattern: '^[A-Z]{2}$' },
              contents_category: { enum: ['electronics', 'clothing', 'documents', 'other'] },
            },
          },
        },
      },
    },
  ],
  offer_configs: [
    {
      id: 'travel-cover',
      name: 'Travel protection',
      schema: 'travel:v1',
      status: 'active',
      priority: 10,
      when: 'context.trip_cost > 0.0',
      access: { key_modes: ['live', 'test'] },
      offer_ttl: '72h',
      products: [
        {
          code: 'TRAVEL_CANCEL',
          type: 'xcover-product',
          name: 'Trip cancellation',
          pricing: {
            premium: 'context.trip_cost * 0.045',
            tax_rate: "customer.country == 'AU' ? 0.10 : 0.0",
            surcharge: '0.0',
            commission_rate: '0.30',
            min_premium: '5.0',
            max_premium: '2000.0',
          },
          policy: {
            start: "timestamp(context.departure_date + 'T00:00:00Z')",
            end: "timestamp(context.return_date + 'T23:59:59Z')",
          },
          benefits: [{ description: 'Trip cancellation', limit: 'context.trip_cost' }],
          pds_url: 'https://example.com/pds/trip-cancellation.pdf',
          files: [{ name: 'Policy wording', url: 'https://example.com/docs/trip-cancellation.pdf', type: 'pdf' }],
          extra_fields: { cover_type: "'cancellation'", trip_cost: 'context.trip_cost' },
        },
        {
          code: 'TRAVEL_MEDICAL',
          type: 'xcover-product',
          name: 'Emergency medical',
          when: 'context.travellers <= 9.0',
          pricing: {
            premium: "(12.0 + 3.5 * context.travellers) * (has(context.cabin_class) && context.cabin_class == 'first' ? 1.2 : 1.0)",
            tax_rate: "customer.country == 'AU' ? 0.10 : 0.0",
            commission_rate: '0.25',
          },
          policy: {
            start: "timestamp(context.departure_date + 'T00:00:00Z')",
            end: "timestamp(context.return_date + 'T23:59:59Z')",
          },
          benefits: [
            { description: 'Emergency medical expenses', limit: '1000000.0', excess: '100.0' },
            { description: 'Repatriation', limit: '250000.0' },
          ],
          pds_url: 'https://example.com/pds/emergency-medical.pdf',
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
          description: 'Cover for the things that can go wrong before and during your trip.',
          terms_url: 'https://example.com/terms',
          disclaimer: 'Cover is provided by Example Insurance Ltd.',
          products: {
            TRAVEL_CANCEL: {
              title: 'Cancellation cover for {{ quote.price_formatted }}',
              description: 'Get your money back if you have to cancel for a covered reason.',
              benefits: ['Up to {{ quote.benefits[0].limit_formatted }} if you cancel'],
              inclusions: ['Illness or injury', 'Redundancy', 'Natural disasters at your destination'],
              exclusions: ['Changing your mind', 'Known pre-existing conditions'],
              extras: ['14-day cooling-off period'],
              disclaimers: [],
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
          description: 'Une couverture pour les imprévus, avant et pendant votre voyage.',
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
              benefits: [],
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
    {
      id: 'parcel-protect',
      name: 'Parcel protection',
      schema: 'parcel:v1',
      status: 'active',
      priority: 10,
      when: 'context.declared_value > 0.0',
      offer_ttl: '24h',
      products: [
        {
          code: 'PARCEL_LOSS',
          type: 'xcover-product',
          name: 'Parcel protection',
          pricing: { premium: 'context.declared_value * 0.015', min_premium: '1.5', commission_rate: '0.20' },
          policy: {
            start: "timestamp(context.ship_date + 'T00:00:00Z')",
            end: "timestamp(context.ship_date + 'T00:00:00Z') + duration('720h')",
          },
          benefits: [{ description: 'Loss, theft or damage in transit', limit: 'context.declared_value' }],
          pds_url: 'https://example.com/pds/parcel.pdf',
        },
      ],
      content: {
        default_language: 'en',
        en: {
          title: 'Protect your parcel',
          description: 'Refund or reship if it is lost, stolen or damaged.',
          terms_url: 'https://example.com/terms',
          products: { PARCEL_LOSS: { title: 'Parcel protection for {{ quote.price_formatted }}' } },
        },
      },
    },
  ],
};
