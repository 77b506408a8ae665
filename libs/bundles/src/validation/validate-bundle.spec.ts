import * as fs from 'node:fs';
import * as path from 'node:path';
import { validateBundle, type BundleValidationResult } from './validate-bundle';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- fixtures are edited freely in tests
type Json = Record<string, any>;

// the retail example bundle, kept beside this suite
const RETAIL: Json = JSON.parse(fs.readFileSync(path.join(__dirname, '__fixtures__/retail-bundle.json'), 'utf8')) as Json;

function retail(): Json {
  return structuredClone(RETAIL);
}

function problemsOf(result: BundleValidationResult): Record<string, string[]> {
  if (result.ok) throw new Error('expected the bundle to be refused');
  return result.problems;
}

describe('validateBundle', () => {
  it('accepts the retail example and returns it with defaults applied', () => {
    const input = retail();
    const result = validateBundle(input, { expectedPartnerCode: 'SHOPCO' });
    if (!result.ok) throw new Error(JSON.stringify(result.problems, null, 2));
    const [warranty, shippingOnly, draft] = result.bundle.offer_configs;
    expect(shippingOnly.offer_ttl).toBe('72h');
    expect(shippingOnly.products[0]).toMatchObject({
      type: 'xcover-product',
      when: 'true',
      pricing: { premium: 'context.shipping.declared_value * 0.02', tax_rate: '0.0', surcharge: '0.0', commission_rate: '0.0' },
    });
    expect(draft).toMatchObject({ status: 'draft', when: "customer.country == 'US'" });
    expect(warranty.products[1].when).toBe('has(context.shipping) && has(context.shipping.declared_value)');
    // an override replaces only what it names: no default tax/commission sneaks in
    expect(warranty.experiments?.[0].variants[1].overrides?.WARRANTY_2Y.pricing).toEqual({
      premium: 'context.item.retail_value * 0.07',
    });
    // the input is left as it was
    expect(input).toEqual(RETAIL);
  });

  it('fills defaults of a minimal bundle', () => {
    const result = validateBundle({
      partner: { code: 'MINI', name: 'Mini' },
      schemas: [{ id: 's', json_schema: { type: 'object' } }],
      offer_configs: [{ id: 'c', name: 'C', schema: 's', products: [{ code: 'P', name: 'P', pricing: { premium: '1.0' } }] }],
    });
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.bundle.partner.status).toBe('active');
    expect(result.bundle.offer_configs[0]).toMatchObject({ status: 'active', priority: 0, when: 'true', offer_ttl: '72h' });
  });

  it('refuses a partner code other than the one being written', () => {
    expect(problemsOf(validateBundle(retail(), { expectedPartnerCode: 'OTHER' }))).toEqual({
      'partner.code': ['must be "OTHER", the partner being written (got "SHOPCO")'],
    });
  });

  it('puts the double*int hint at the pricing field', () => {
    const bundle = retail();
    bundle.offer_configs[0].products[0].pricing.premium = 'context.item.retail_value * 5';
    expect(problemsOf(validateBundle(bundle))).toEqual({
      'offer_configs[0].products[0].pricing.premium': [
        expect.stringContaining('no such overload: double * int — JSON numbers are double in CEL: write 5.0 instead of 5'),
      ],
    });
  });

  it('reports every structural error with its path', () => {
    const bundle = retail();
    bundle.partner.extra = true;
    delete bundle.schemas[0].json_schema;
    bundle.offer_configs[0].products[1].pricing.premium = 5;
    bundle.offer_configs[0].status = 'live';
    bundle.offer_configs[1].products = [];
    const problems = problemsOf(validateBundle(bundle));
    expect(problems).toMatchObject({
      'partner.extra': ['is not an allowed property'],
      'schemas[0].json_schema': ['is required'],
      'offer_configs[0].products[1].pricing.premium': ['must be string'],
      'offer_configs[0].status': ['must be one of "active", "draft", "inactive"'],
      'offer_configs[1].products': ['must NOT have fewer than 1 items'],
    });
  });

  it('reports properties named like those of Object.prototype (constructor, __proto__, toString) like any other', () => {
    const names = ['constructor', '__proto__', 'toString', 'hasOwnProperty'];
    // written as JSON text: an object literal cannot hold an own __proto__
    const text = JSON.stringify(retail()).replace('{"partner"', `{${names.map((n) => `"${n}":1`).join(',')},"partner"`);
    const problems = problemsOf(validateBundle(JSON.parse(text) as unknown, { expectedPartnerCode: 'SHOPCO' }));
    expect(Object.keys(problems).sort()).toEqual([...names].sort());
    for (const name of names) expect(Object.getOwnPropertyDescriptor(problems, name)?.value).toEqual(['is not an allowed property']);
    expect(JSON.parse(JSON.stringify(problems))).toEqual(Object.fromEntries(names.map((n) => [n, ['is not an allowed property']])));
  });

  it('reports offer schema problems under the schema', () => {
    const bundle = retail();
    const customer = bundle.schemas[0].json_schema.properties.customer.properties;
    customer.region = { type: 'string', pattern: '^(a+)+$' };
    customer.postcode = { $ref: 'https://example.com/postcode.json' };
    const problems = problemsOf(validateBundle(bundle));
    expect(problems['schemas[0].json_schema.properties.customer.properties.region.pattern']).toEqual([
      expect.stringContaining('vulnerable to catastrophic backtracking'),
    ]);
    expect(problems['schemas[0].json_schema.properties.customer.properties.postcode.$ref']).toEqual([expect.stringContaining('remote $ref')]);
  });

  it('type-checks every kind of expression against the config schema', () => {
    const bundle = retail();
    const config = bundle.offer_configs[0];
    config.when = 'context.item.retail_value';
    config.products[0].when = "customer.nope == 'x'";
    config.products[0].pricing.tax_rate = "'0.1'";
    config.products[0].policy.start = 'context.purchase_date';
    config.products[0].benefits[1].excess = 'true';
    config.products[0].extra_fields.bad = 'context.item.sku +';
    config.experiments[0].unit = 'partner.customer_id.';
    config.experiments[0].variants[1].overrides.WARRANTY_2Y.pricing.commission_rate = 'context.item.retail_value * 2';
    config.content.en.title = 'Protect your {{ quote.name }}';
    config.content.en.products.WARRANTY_2Y.title = 'Cover for {{ quote.price_formatted }} on {{ context.item.nope }}';
    config.content.es.products.WARRANTY_2Y.disclaimers = ['{{ }}'];
    const problems = problemsOf(validateBundle(bundle));
    const base = 'offer_configs[0]';
    expect(Object.keys(problems).sort()).toEqual(
      [
        `${base}.when`,
        `${base}.products[0].when`,
        `${base}.products[0].pricing.tax_rate`,
        `${base}.products[0].policy.start`,
        `${base}.products[0].benefits[1].excess`,
        `${base}.products[0].extra_fields.bad`,
        `${base}.experiments[0].unit`,
        `${base}.experiments[0].variants[1].overrides.WARRANTY_2Y.pricing.commission_rate`,
        `${base}.content.en.title`,
        `${base}.content.en.products.WARRANTY_2Y.title`,
        `${base}.content.es.products.WARRANTY_2Y.disclaimers[0]`,
      ].sort(),
    );
    expect(problems[`${base}.when`]).toEqual(['must give a bool, but this expression gives double']);
    expect(problems[`${base}.products[0].policy.start`]).toEqual(['must give a timestamp, but this expression gives string']);
    expect(problems[`${base}.content.en.title`]).toEqual([expect.stringMatching(/^\{\{ quote\.name \}\}: Unknown variable: quote/)]);
    expect(problems[`${base}.content.en.products.WARRANTY_2Y.title`]).toEqual([expect.stringMatching(/^\{\{ context\.item\.nope \}\}: No such key: nope/)]);
    expect(problems[`${base}.experiments[0].variants[1].overrides.WARRANTY_2Y.pricing.commission_rate`]).toEqual([
      expect.stringContaining('write 2.0 instead of 2'),
    ]);
  });

  describe('cancellation and modification blocks', () => {
    const PRO_RATA =
      'quote.price * double((quote.policy_end_date - now).getSeconds()) / double((quote.policy_end_date - quote.policy_start_date).getSeconds())';

    it('accepts both blocks, checked against the booked quote and the config schema', () => {
      const bundle = retail();
      const [warranty, shipping] = bundle.offer_configs[0].products;
      warranty.cancellation = { cooling_off: '30d', allowed: 'now < quote.policy_end_date', refund: PRO_RATA };
      warranty.modification = { allowed: "now < quote.policy_start_date && customer.country != 'CA'", fields: ['purchase_date', 'item'] };
      shipping.cancellation = { refund: "context.item.category == 'phone' ? quote.price - quote.tax : 0.0" };
      shipping.modification = { fields: ['shipping'] };
      const result = validateBundle(bundle, { expectedPartnerCode: 'SHOPCO' });
      if (!result.ok) throw new Error(JSON.stringify(result.problems, null, 2));
      const products = result.bundle.offer_configs[0].products;
      expect(products[0].cancellation).toEqual({ cooling_off: '30d', allowed: 'now < quote.policy_end_date', refund: PRO_RATA });
      expect(products[0].modification?.fields).toEqual(['purchase_date', 'item']);
      // the fields of a given block that are left out are stored at their defaults; `fields` has none (any field)
      expect(products[1].cancellation).toEqual({
        cooling_off: '14d',
        allowed: 'now < quote.policy_end_date',
        refund: "context.item.category == 'phone' ? quote.price - quote.tax : 0.0",
      });
      expect(products[1].modification).toEqual({ allowed: 'now < quote.policy_start_date', fields: ['shipping'] });
      // a product without the blocks is stored without them
      expect(result.bundle.offer_configs[1].products[0]).not.toHaveProperty('cancellation');
      expect(result.bundle.offer_configs[1].products[0]).not.toHaveProperty('modification');
    });

    it('accepts empty blocks (every default) and checks the defaults like any expression', () => {
      const bundle = retail();
      bundle.offer_configs[0].products[0].cancellation = {};
      bundle.offer_configs[0].products[0].modification = {};
      const result = validateBundle(bundle);
      if (!result.ok) throw new Error(JSON.stringify(result.problems, null, 2));
      expect(result.bundle.offer_configs[0].products[0]).toMatchObject({
        cancellation: { cooling_off: '14d', allowed: 'now < quote.policy_end_date', refund: '0.0' },
        modification: { allowed: 'now < quote.policy_start_date' },
      });
    });

    it('refuses a type error in each rule at its path', () => {
      const bundle = retail();
      const product = bundle.offer_configs[0].products[1];
      product.cancellation = { allowed: 'quote.price', refund: 'quote.price * 2' };
      product.modification = { allowed: "quote.code + 'x'" };
      const base = 'offer_configs[0].products[1]';
      expect(problemsOf(validateBundle(bundle))).toEqual({
        [`${base}.cancellation.allowed`]: ['must give a bool, but this expression gives double'],
        [`${base}.cancellation.refund`]: [expect.stringContaining('no such overload: double * int — JSON numbers are double in CEL: write 2.0 instead of 2')],
        [`${base}.modification.allowed`]: ['must give a bool, but this expression gives string'],
      });
    });

    it('refuses what the booked quote does not have, and quote outside these rules', () => {
      const bundle = retail();
      const product = bundle.offer_configs[0].products[0];
      product.cancellation = { refund: 'quote.price_formatted', allowed: 'booking.active' };
      product.modification = { allowed: 'context.item.nope > 1.0' };
      product.pricing.premium = 'quote.price';
      const base = 'offer_configs[0].products[0]';
      expect(problemsOf(validateBundle(bundle))).toEqual({
        [`${base}.cancellation.refund`]: [expect.stringContaining('No such key: price_formatted')],
        [`${base}.cancellation.allowed`]: [expect.stringContaining('the variables are customer, context, partner, now, quote')],
        [`${base}.modification.allowed`]: [expect.stringContaining('No such key: nope')],
        [`${base}.pricing.premium`]: [expect.stringContaining('the variables are customer, context, partner, now')],
      });
    });

    it('refuses a malformed duration, an unknown field and malformed fields by the schema, at their paths', () => {
      const bundle = retail();
      const product = bundle.offer_configs[0].products[0];
      product.cancellation = { cooling_off: '14x', refund: 'quote.price * 2' };
      product.modification = { fields: ['trip_cost', 'trip_cost', ''], when: 'true' };
      const base = 'offer_configs[0].products[0]';
      const problems = problemsOf(validateBundle(bundle));
      expect(problems).toEqual({
        [`${base}.cancellation.cooling_off`]: ['must match pattern "^[0-9]+(s|m|h|d)$"'],
        [`${base}.modification.fields`]: [expect.stringContaining('must NOT have duplicate items')],
        [`${base}.modification.fields[2]`]: ['must NOT have fewer than 1 characters'],
        [`${base}.modification.when`]: ['is not an allowed property'],
        // a sound sibling is still checked: every problem at once
        [`${base}.cancellation.refund`]: [expect.stringContaining('write 2.0 instead of 2')],
      });
      product.cancellation = 'never';
      expect(problemsOf(validateBundle(bundle))[`${base}.cancellation`]).toEqual(['must be object']);
    });
  });

  it('resolves every reference and reports duplicates', () => {
    const bundle = retail();
    bundle.partner.default_schema = 'retail:v9';
    bundle.schemas.push(structuredClone(bundle.schemas[0]));
    const [config, second, third] = bundle.offer_configs;
    second.schema = 'nope:v1';
    third.id = config.id;
    config.products.push(structuredClone(config.products[1]));
    config.product_rules[0].products = ['WARRANTY_2Y', 'GHOST'];
    config.product_rules[0].events[0].target = 'nowhere';
    config.product_rules[0].events.push({ on: 'deselect', product: 'GHOST', target: 'warranty', set_state: 'hide' });
    config.product_rules[1].slug = 'warranty';
    config.product_rules[1].max_select = 2;
    config.product_rules[1].min_select = 3;
    config.content.default_language = 'fr';
    config.content.en.products.GHOST = { title: 'Boo' };
    config.experiments.push(structuredClone(config.experiments[0]));
    config.experiments[0].variants[1].name = 'control';
    config.experiments[0].variants[1].overrides.GHOST = { name: 'x' };
    const problems = problemsOf(validateBundle(bundle));
    expect(problems).toEqual({
      'partner.default_schema': ['names no schema of this bundle ("retail:v9")'],
      'schemas[1].id': ['duplicate schema id "retail:v1" (also schemas[0])'],
      'offer_configs[1].schema': ['names no schema of this bundle ("nope:v1")'],
      'offer_configs[2].id': ['duplicate offer config id "retail-warranty" (also offer_configs[0])'],
      'offer_configs[0].products[2].code': ['duplicate product code "SHIPPING" (also products[1])'],
      'offer_configs[0].product_rules[0].products[1]': ['names no product of this offer config ("GHOST")'],
      'offer_configs[0].product_rules[0].events[0].target': ['names no product rule of this offer config ("nowhere")'],
      'offer_configs[0].product_rules[0].events[1].product': ['names no product of this offer config ("GHOST")'],
      'offer_configs[0].product_rules[1].slug': ['duplicate product rule slug "warranty" (also product_rules[0])'],
      'offer_configs[0].product_rules[1].max_select': ['must be at least min_select (3)', 'is 2 but the group has only 1 product'],
      'offer_configs[0].product_rules[1].min_select': ['is 3 but the group has only 1 product'],
      'offer_configs[0].content.default_language': ['has no content entry ("fr")'],
      'offer_configs[0].content.en.products.GHOST': ['names no product of this offer config ("GHOST")'],
      'offer_configs[0].experiments[1].key': ['duplicate experiment key "warranty-price" (also experiments[0])'],
      'offer_configs[0].experiments[0].variants[1].name': ['duplicate variant name "control" (also variants[0])'],
      'offer_configs[0].experiments[0].variants[1].overrides.GHOST': ['names no product of this offer config ("GHOST")'],
    });
  });

  it('reports problems of several kinds at once and skips checks under broken parts', () => {
    const bundle = retail();
    bundle.partner.code = 'lower';
    bundle.offer_configs[0].products[0].pricing.premium = 'context.item.retail_value * 5';
    bundle.offer_configs[0].when = 'x'.repeat(2001);
    bundle.offer_configs[1].products[0].pricing = 'cheap';
    bundle.offer_configs[2].schema = 'missing';
    const problems = problemsOf(validateBundle(bundle, { expectedPartnerCode: 'SHOPCO' }));
    expect(problems).toEqual({
      'partner.code': [expect.stringContaining('must match pattern'), 'must be "SHOPCO", the partner being written (got "lower")'],
      'offer_configs[0].when': ['must NOT have more than 2000 characters'],
      'offer_configs[0].products[0].pricing.premium': [expect.stringContaining('write 5.0 instead of 5')],
      'offer_configs[1].products[0].pricing': ['must be object'],
      'offer_configs[2].schema': ['names no schema of this bundle ("missing")'],
    });
  });

  it('refuses what is not a bundle', () => {
    expect(problemsOf(validateBundle('nope'))).toEqual({ bundle: ['must be object'] });
    expect(problemsOf(validateBundle({}))).toEqual({
      partner: ['is required'],
      schemas: ['is required'],
      offer_configs: ['is required'],
    });
  });

  it('refuses a bundle with tens of thousands of broken items in time linear in their number, reporting each', () => {
    validateBundle(retail()); // warm-up: Ajv compile
    const timed = (n: number): { ms: number; problems: Record<string, string[]> } => {
      const bundle = retail();
      bundle.offer_configs[0].products = Array.from({ length: n }, () => ({}));
      bundle.offer_configs[1].product_rules = Array.from({ length: n }, () => 0);
      const started = performance.now();
      const problems = problemsOf(validateBundle(bundle));
      return { ms: performance.now() - started, problems };
    };
    const { ms, problems } = timed(40_000);
    expect(problems['offer_configs[0].products[39999].code']).toEqual(['is required']);
    expect(problems['offer_configs[1].product_rules[39999]']).toEqual(['must be object']);
    // quadratic, this took over a minute; linear, well under a second alone (the bound leaves room
    // for a busy machine: the test suites run in parallel on two cores)
    expect(ms).toBeLessThan(15_000);
  });

  it('validates a three-config bundle quickly', () => {
    validateBundle(retail()); // warm-up: Ajv compile, recheck start
    const bundle = retail();
    // fresh schema text so no cache helps: a new pattern for recheck and new CEL environments
    bundle.schemas[0].json_schema.properties.customer.properties.region = { type: 'string', pattern: '^[A-Z]{2,3}$' };
    const started = performance.now();
    const result = validateBundle(bundle);
    const elapsed = performance.now() - started;
    expect(result.ok).toBe(true);
    expect(elapsed).toBeLessThan(500);
  });
});
