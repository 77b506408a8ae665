/**
 * Every route of the OpenAPI document under random and hostile requests (fast-check):
 * - bodies: a valid body of the route mutated (edge numbers, prototype keys, duplicate keys in the
 *   JSON text, NUL and lone-surrogate escapes), bodies drawn from the route's schema, deep, wide and
 *   huge JSON, invalid UTF-8 bytes, other charsets and encodings, text that is not JSON, empty
 *   bodies and none, under every kind of Content-Type;
 * - query strings (repeated, huge, oddly encoded) and path parameters (real ids, very long,
 *   unicode, encoded slashes, dots, invalid percent-encodings);
 * - with and without the partner's key, a signature and the admin key.
 * Never a 5xx, the app keeps answering (GET /health/live after each route's batch) and nothing is
 * logged at level error. Partner routes are driven under every API prefix.
 *
 * Two partners: MAIN, whose keys, offers and bookings partner routes use (admin routes only read
 * it), and VICTIM, which admin write routes change (suspend, rewrite, revoke…) and which is put back
 * after each batch; VICTIM's bundle also holds hostile configs (pricing with HOSTILE_PRICING, a
 * schema with nested references) that its own requests select.
 *
 * PROPERTY_SEED and PROPERTY_RUNS (both in the test's name) reproduce a run: four fifths of the
 * cases go route by route (route i of the document with seed PROPERTY_SEED + i), the rest to routes
 * drawn at random (seed PROPERTY_SEED + the number of routes). A failure prints the request as sent.
 */
import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import { createServer, request as httpRequest, type OutgoingHttpHeaders, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { logDestination } from '../../apps/api/src/common/logging';
import { startTestApp, TEST_ADMIN_KEY, type TestApp } from '../support/app';
import { confirmBody, offerRequest, shopBundle } from '../support/booking-fixtures';

function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return n;
}

const SEED = envInt('PROPERTY_SEED', 20_260_611);
const RUNS = envInt('PROPERTY_RUNS', 3000);

/** the partner whose keys, offers and bookings partner routes use; admin write routes never name it */
const MAIN = 'PROPMAIN';
/** the partner admin write routes change (suspend, rewrite, revoke…); restored after each batch */
const VICTIM = 'PROPVICTIM';
const ENCRYPTION_KEY = Buffer.alloc(32, 9);
/** a schema of VICTIM's bundle no config uses (one DELETE can remove) */
const SPARE_SCHEMA = 'spare:v1';

/**
 * Pricing of VICTIM's configs `hostile-<i>`, which its requests with `context.channel` `h<i>`
 * select: sums that overflow a double or the largest amount, divide by zero, come out negative or
 * below a minor unit. Those a bundle check refuses are left out of VICTIM's bundle.
 */
const HOSTILE_PRICING: ReadonlyArray<Record<string, string>> = [
  { premium: 'context.value * 1e15' },
  { premium: 'context.value * 1e300' },
  { premium: 'context.value * 1e308 * 10.0' },
  { premium: '1.0 / 0.0' },
  { premium: '0.0 / 0.0' },
  { premium: 'context.value / (context.value - context.value)' },
  { premium: '-context.value' },
  { premium: '0.000000001' },
  { premium: '9007199254740993.0' },
  { premium: "context.channel == 'flash' ? 1.7976931348623157e308 : 0.0" },
  { premium: '10.0', tax_rate: '1e308' },
  { premium: '10.0', tax_rate: '-2.0' },
  { premium: '10.0', surcharge: 'context.value * 1e300' },
  { premium: '10.0', commission_rate: '0.0 / 0.0' },
  { premium: '1e20', min_premium: '1e300', max_premium: '-1.0' },
  { premium: '10.0', tax_rate: '1e15', commission_rate: '1e308' },
];
const hostileChannel = (i: number): string => `h${i}`;

/**
 * A schema of VICTIM whose array items are a definition that itself refers to others: where a
 * validator's work can grow with the square of the errors of a body of thousands of broken items.
 */
const NESTED_SCHEMA_ID = 'nested:v1';
const NESTED_SCHEMA = {
  type: 'object',
  required: ['customer', 'context'],
  properties: {
    schema: { type: 'string' },
    customer: { $ref: '#/definitions/customer' },
    partner: { type: 'object' },
    context: { type: 'object', required: ['travellers'], properties: { travellers: { type: 'array', items: { $ref: '#/definitions/traveller' } } } },
  },
  definitions: {
    customer: {
      type: 'object',
      properties: { language: { $ref: '#/definitions/code' }, currency: { $ref: '#/definitions/code' }, country: { $ref: '#/definitions/code' } },
    },
    traveller: { type: 'object', required: ['name', 'age'], properties: { name: { $ref: '#/definitions/name' }, age: { type: 'integer', minimum: 0 } } },
    name: { type: 'string', minLength: 1 },
    code: { type: 'string', minLength: 2 },
  },
};
const NESTED_CONFIG = {
  id: 'nested-cover',
  name: 'Nested schema',
  schema: NESTED_SCHEMA_ID,
  status: 'active',
  products: [{ code: 'NESTED', name: 'Nested', pricing: { premium: '5.0' } }],
};

interface WritableBundle {
  partner: Record<string, unknown>;
  schemas: Array<{ id: string; json_schema: Record<string, unknown> }>;
  offer_configs: Array<Record<string, unknown>>;
}

/**
 * VICTIM's bundle: its schema also allows the hostile channels, the pricing configs `accepted` are
 * in force, and so is a config on the schema with nested references
 */
function withHostileConfigs(bundle: WritableBundle, accepted: readonly number[]): void {
  type ShopSchema = { properties?: { context?: { properties?: { channel?: { enum?: string[] } } } } };
  const channel = (bundle.schemas[0]?.json_schema as ShopSchema | undefined)?.properties?.context?.properties?.channel;
  if (!channel?.enum) throw new Error('the shop schema has no channel enum to extend');
  channel.enum = [...channel.enum, ...HOSTILE_PRICING.map((_, i) => hostileChannel(i))];
  bundle.schemas.push({ id: NESTED_SCHEMA_ID, json_schema: NESTED_SCHEMA });
  bundle.offer_configs.push(...accepted.map(hostileConfig), NESTED_CONFIG);
}

function hostileConfig(i: number): Record<string, unknown> {
  return {
    id: `hostile-${i}`,
    name: 'Hostile pricing',
    schema: 'shop:v1',
    status: 'active',
    when: `context.channel == '${hostileChannel(i)}'`,
    products: [{ code: 'HOSTILE', name: 'Hostile', pricing: { commission_rate: '0.1', tax_rate: '0.1', ...HOSTILE_PRICING[i] } }],
  };
}

// ---------------------------------------------------------------------------------------------
// The OpenAPI document

interface OpenApiSchema {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, OpenApiSchema>;
  patternProperties?: Record<string, OpenApiSchema>;
  additionalProperties?: boolean | OpenApiSchema;
  required?: string[];
  items?: OpenApiSchema;
  enum?: unknown[];
  const?: unknown;
  example?: unknown;
  allOf?: OpenApiSchema[];
  oneOf?: OpenApiSchema[];
  anyOf?: OpenApiSchema[];
  minimum?: number;
  maximum?: number;
}

interface OpenApiOperation {
  parameters?: Array<{ name: string; in: string }>;
  requestBody?: { content?: Record<string, { schema?: OpenApiSchema }> };
}

interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, OpenApiSchema> };
}

interface Route {
  method: string;
  /** the document's path, e.g. /x/partners/{partner_code}/offers/{offer_id} */
  template: string;
  params: readonly string[];
  query: string[];
  bodySchema: OpenApiSchema | undefined;
  admin: boolean;
}

const OPERATION_METHODS = new Set(['get', 'put', 'post', 'delete', 'patch', 'head', 'options']);

/** Each method and path of the document; a partner route under one prefix is driven under every prefix. */
function routesOf(doc: OpenApiDocument, prefixes: string[]): Route[] {
  const routes = new Map<string, Route>();
  for (const [path, operations] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(operations)) {
      if (!OPERATION_METHODS.has(method)) continue;
      const prefix = prefixes.find((p) => path.startsWith(`${p}/partners/`));
      const templates = prefix === undefined ? [path] : prefixes.map((p) => `${p}${path.slice(prefix.length)}`);
      for (const template of templates) {
        const key = `${method.toUpperCase()} ${template}`;
        if (routes.has(key)) continue;
        routes.set(key, {
          method: method.toUpperCase(),
          template,
          params: [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]),
          query: (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
          bodySchema: op.requestBody?.content?.['application/json']?.schema,
          admin: template.startsWith('/admin'),
        });
      }
    }
  }
  return [...routes.values()];
}

// ---------------------------------------------------------------------------------------------
// The state real ids come from (refreshed after each batch)

interface Fixtures {
  mainKey: string;
  mainTestKey: string;
  /** a signing key of MAIN: requests signed with it authenticate */
  signing: { key: string; secret: string };
  mainKeyIds: string[];
  /** MAIN's offers: offered, booked, opted out, expired, and the fresh ones below */
  offerIds: string[];
  /** offers still open, with a quote id (for Confirm bodies) */
  fresh: Array<{ id: string; quote: string }>;
  bookingIds: string[];
  victimKey: string;
  victimKeyIds: string[];
  versions: string[];
  adminKey: string;
  adminKeyIds: string[];
  revokedKey: string;
  revokedAdminKey: string;
}

// ---------------------------------------------------------------------------------------------
// Hostile material

/** A seeded generator (mulberry32) for the details of a body: reproducible from one integer fast-check draws. */
class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
}

/** JSON number tokens at the edges of doubles, integers and decimals (as written in the text) */
const EDGE_NUMBERS = [
  '1e308',
  '-1e308',
  '1e309',
  '-1e309',
  '1.7976931348623157e308',
  '5e-324',
  '1e-400',
  '-0',
  '-0.0',
  '0',
  '0.1',
  '0.30000000000000004',
  '9007199254740993',
  '-9007199254740993',
  '18446744073709551616',
  '2147483648',
  '-2147483649',
  '1e21',
  '1E+2',
  '1e-7',
  '-1',
  '123456789012345678901234567890.123456789',
  '0.000000000000000000000000000001',
  '100000000000000000000000000000000000000000000000000000000000000000',
];

/** JSON string tokens (as written in the text): escapes of NUL and lone surrogates, prototype names, expressions */
const HOSTILE_STRINGS = [
  '""',
  '" "',
  '"\\u0000"',
  '"a\\u0000b"',
  '"\\ud800"',
  '"x\\udc00"',
  '"\\udfff\\ud800"',
  '"\\ud83d\\ude00"',
  '"\\ufeff"',
  '"\\u202e"',
  '"\\u0085"',
  '"__proto__"',
  '"constructor"',
  '"prototype"',
  '"toString"',
  '"hasOwnProperty"',
  '"NaN"',
  '"Infinity"',
  '"-1"',
  '"1e308"',
  '"null"',
  '"true"',
  '"2027-02-30"',
  '"0000-00-00"',
  '"9999-12-31T23:59:59.999Z"',
  '"2027-01-01T00:00:00+25:00"',
  '"P1Y"',
  '"-1s"',
  '"999999999999h"',
  '"../../etc/passwd"',
  '"%00"',
  '"\' OR 1=1 --"',
  '"{{content}}"',
  '"{{ __proto__ }}"',
  '"${process.exit()}"',
  '"context.value"',
  '"1/0"',
  '"size(context)"',
  '"timestamp(\'x\')"',
  '"context.value * 1e308 * 1e308"',
  '"AU"',
  '"en"',
  '"AUD"',
  '"XXX"',
  '"shop:v1"',
  '"https://example.com/\\u0000"',
  '"javascript:alert(1)"',
  '"a@b"',
  '"+1"',
  '"é"',
  '"日本語"',
];

/** object keys (as written in the text) */
const HOSTILE_KEYS = [
  '"__proto__"',
  '"constructor"',
  '"prototype"',
  '"\\u0000"',
  '"a\\u0000"',
  '"\\ud800"',
  '""',
  '"toString"',
  '"hasOwnProperty"',
  '"valueOf"',
  '"__defineGetter__"',
  '"length"',
  '"0"',
  '"$ref"',
  '"a.b"',
  '"a/b"',
  '"~1"',
  '"[0]"',
  '"schema"',
  '"context"',
  '"customer"',
  '"partner"',
];

const PROTOTYPE_OBJECTS = [
  '{"__proto__":{"polluted":true}}',
  '{"constructor":{"prototype":{"polluted":true}}}',
  '{"__proto__":null}',
  '{"__proto__":[]}',
  '{"__proto__":{"__proto__":{"x":1}},"constructor":"x","prototype":1}',
];

/** text that is not JSON (or JSON body-parser's strict mode refuses) */
const NOT_JSON = [
  'hello',
  '{',
  '}',
  '{"a":',
  '{"a":1,}',
  '[1,]',
  "{'a':1}",
  'NaN',
  'Infinity',
  'undefined',
  '01',
  '.5',
  '+1',
  '0x10',
  '1e',
  '"unterminated',
  '{"a":"\\x41"}',
  '{"a":"\\u12"}',
  '{"a":"\u0001"}',
  '\u00a0{}',
  '{}{}',
  '{} []',
  'null',
  'true',
  '0',
  '"str"',
  '<xml/>',
  'a=1&b=2',
  '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--',
  ' ',
  '\n\n',
  '\ufeff{}',
  '[',
  '{"a":1}garbage',
  '{"a" 1}',
];

/** bytes that are not UTF-8, inside and outside JSON text */
const BAD_UTF8: Buffer[] = [
  Buffer.from([0xff, 0xfe, 0xfd]),
  Buffer.from([0x80]),
  Buffer.from([0xc0, 0xaf]),
  Buffer.from([0xed, 0xa0, 0x80]),
  Buffer.from([0xf4, 0x90, 0x80, 0x80]),
  Buffer.from([0xe2, 0x82]),
  Buffer.from([0xf8, 0x88, 0x80, 0x80, 0x80]),
  Buffer.from([0x00, 0x00]),
];

const LONG_STRING_SIZES = [1000, 60_000, 110_000, 400_000];
const DEPTHS = [63, 64, 65, 127, 128, 129, 2000, 50_000];

interface Budget {
  /** large structures (deep, wide, huge) still allowed in this body */
  large: number;
}

function largeValue(rng: Rng): string {
  switch (rng.int(6)) {
    case 0: {
      const n = rng.pick(LONG_STRING_SIZES);
      return `"${rng.pick(['x', 'é', '\\u0000', '\\ud800', '😀', '\\\\']).repeat(Math.ceil(n / 2))}"`;
    }
    case 1: {
      const depth = rng.pick(DEPTHS);
      return rng.chance(0.5) ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
    }
    case 2:
      return `[${Array.from({ length: rng.pick([10_000, 30_000]) }, () => rng.pick(['0', '""', '{}', 'null'])).join(',')}]`;
    case 3:
      return `{${Array.from({ length: rng.pick([5000, 12_000]) }, (_, i) => `"k${i}":${i}`).join(',')}}`;
    case 4:
      return `{${Array.from({ length: 5000 }, (_, i) => `${rng.pick(['"a"', '"__proto__"', '"constructor"'])}:${i}`).join(',')}}`;
    default:
      return `1${'0'.repeat(rng.pick([400, 5000, 50_000]))}`;
  }
}

function hostileValue(rng: Rng, budget: Budget, depth: number): string {
  const r = rng.int(20);
  if (r < 6) return rng.pick(EDGE_NUMBERS);
  if (r < 12) return rng.pick(HOSTILE_STRINGS);
  if (r < 14) return rng.pick(['null', 'true', 'false', '[]', '{}', '[null]', '[[]]', '{"":{}}']);
  if (r < 16) return rng.pick(PROTOTYPE_OBJECTS);
  if (r < 18 && budget.large > 0) {
    budget.large -= 1;
    return largeValue(rng);
  }
  return randomJson(rng, budget, depth);
}

function randomJson(rng: Rng, budget: Budget, depth: number): string {
  const r = rng.int(10);
  if (depth > 4 || r < 5) {
    if (rng.chance(0.3)) return JSON.stringify(randomWord(rng));
    return rng.pick([...EDGE_NUMBERS, ...HOSTILE_STRINGS, 'null', 'true', 'false']);
  }
  const n = rng.int(5);
  if (r < 7) return `[${Array.from({ length: n }, () => randomJson(rng, budget, depth + 1)).join(',')}]`;
  const entries = Array.from(
    { length: n },
    () => `${rng.chance(0.3) ? rng.pick(HOSTILE_KEYS) : JSON.stringify(randomWord(rng))}:${randomJson(rng, budget, depth + 1)}`,
  );
  return `{${entries.join(',')}}`;
}

function randomWord(rng: Rng): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-:.';
  return Array.from({ length: 1 + rng.int(12) }, () => alphabet[rng.int(alphabet.length)]).join('');
}

/** `value` as JSON text with mutations at `rate`: nodes replaced, keys dropped, added and duplicated, escapes inserted. */
function mutate(value: unknown, rng: Rng, rate: number, budget: Budget, depth = 0): string {
  if (rate > 0 && rng.chance(rate / 2)) return hostileValue(rng, budget, depth);
  if (Array.isArray(value)) {
    const items = value.map((v) => mutate(v, rng, rate, budget, depth + 1));
    if (rng.chance(rate)) items.splice(rng.int(items.length + 1), 0, hostileValue(rng, budget, depth + 1));
    return `[${items.join(',')}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries: string[] = [];
    for (const [k, v] of Object.entries(value)) {
      if (rng.chance(rate / 3)) continue;
      const keyText = rng.chance(rate / 4) ? rng.pick(HOSTILE_KEYS) : JSON.stringify(k);
      entries.push(`${keyText}:${mutate(v, rng, rate, budget, depth + 1)}`);
      // the same key again: JSON.parse keeps the last one
      if (rng.chance(rate / 3)) entries.push(`${JSON.stringify(k)}:${hostileValue(rng, budget, depth + 1)}`);
    }
    if (rng.chance(rate)) entries.splice(rng.int(entries.length + 1), 0, `${rng.pick(HOSTILE_KEYS)}:${hostileValue(rng, budget, depth + 1)}`);
    return `{${entries.join(',')}}`;
  }
  if (typeof value === 'string' && rng.chance(rate)) {
    return `${JSON.stringify(value).slice(0, -1)}${rng.pick(['\\u0000', '\\ud800', '\\udfff', '\\u202e', 'é', '\\"', '\\\\'])}"`;
  }
  if (typeof value === 'number' && rng.chance(rate)) return rng.pick(EDGE_NUMBERS);
  return JSON.stringify(value) ?? 'null';
}

/** A JSON text following the schema loosely: mostly the right shapes, with hostile values in places. */
function fromSchema(schema: OpenApiSchema | undefined, doc: OpenApiDocument, rng: Rng, budget: Budget, depth: number): string {
  if (schema === undefined || depth > 8) return randomJson(rng, budget, depth);
  if (rng.chance(0.06)) return hostileValue(rng, budget, depth);
  if (schema.$ref !== undefined) {
    const name = schema.$ref.split('/').pop() ?? '';
    return fromSchema(doc.components?.schemas?.[name], doc, rng, budget, depth);
  }
  const choices = schema.allOf ?? schema.oneOf ?? schema.anyOf;
  if (choices && choices.length > 0) return fromSchema(rng.pick(choices), doc, rng, budget, depth);
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.enum && schema.enum.length > 0 && rng.chance(0.85)) return JSON.stringify(rng.pick(schema.enum)) ?? 'null';
  if (schema.example !== undefined && rng.chance(0.3)) return JSON.stringify(schema.example) ?? 'null';
  const type = Array.isArray(schema.type) ? rng.pick(schema.type) : (schema.type ?? (schema.properties ? 'object' : undefined));
  switch (type) {
    case 'object': {
      const entries: string[] = [];
      const required = new Set(schema.required ?? []);
      for (const [k, s] of Object.entries(schema.properties ?? {})) {
        if (rng.chance(required.has(k) ? 0.95 : 0.6)) entries.push(`${JSON.stringify(k)}:${fromSchema(s, doc, rng, budget, depth + 1)}`);
      }
      const extra = schema.additionalProperties ?? Object.values(schema.patternProperties ?? {})[0];
      if (extra !== undefined && extra !== false) {
        for (let i = rng.int(3); i > 0; i--) {
          entries.push(`${JSON.stringify(randomWord(rng))}:${fromSchema(extra === true ? undefined : extra, doc, rng, budget, depth + 1)}`);
        }
      }
      return `{${entries.join(',')}}`;
    }
    case 'array':
      return `[${Array.from({ length: rng.int(4) }, () => fromSchema(schema.items, doc, rng, budget, depth + 1)).join(',')}]`;
    case 'string':
      return JSON.stringify(
        rng.pick([
          'abc',
          randomWord(rng),
          '2027-01-01',
          '2027-01-01T00:00:00Z',
          'AU',
          'en',
          'AUD',
          'shop:v1',
          'web',
          'context.value * 2',
          "timestamp('2027-01-01T00:00:00Z')",
          '72h',
          'https://example.com/x',
        ]),
      );
    case 'integer':
      return String(rng.pick([0, 1, -1, 2, 100, schema.minimum ?? 0, schema.maximum ?? 1_000_000, rng.int(1_000_000)]));
    case 'number':
      return String(rng.pick([0, 0.5, -1, 12.34, schema.minimum ?? 0, schema.maximum ?? 1e6]));
    case 'boolean':
      return rng.chance(0.5) ? 'true' : 'false';
    default:
      return randomJson(rng, budget, depth);
  }
}

// ---------------------------------------------------------------------------------------------
// Valid bodies of each route (the starting point of mutations)

const isCreateOffer = (route: Route): boolean => route.method === 'POST' && /\/partners\/\{partner_code\}\/offers$/.test(route.template);
const pricesOffers = (route: Route): boolean => isCreateOffer(route) || route.template.endsWith('/offers/preview');

/**
 * A Create Offer request for one of VICTIM's hostile configs: priced with a hostile expression, or
 * on the schema with nested references with up to 30 000 travellers, broken or not (~90 kB).
 */
function hostileConfigRequest(rng: Rng): Record<string, unknown> {
  if (rng.chance(0.7))
    return { ...offerRequest(), context: { value: rng.pick([1, 123.45, 99999.99, 100000]), channel: hostileChannel(rng.int(HOSTILE_PRICING.length)) } };
  const traveller = rng.pick([{ name: 'Ada', age: 36 }, {}, 0, null, { name: '', age: -1 }]);
  return { ...offerRequest(), schema: NESTED_SCHEMA_ID, context: { travellers: Array.from({ length: rng.pick([1, 100, 30_000]) }, () => traveller) } };
}

function validBodies(route: Route, f: Fixtures, rng: Rng): unknown[] {
  const { method, template } = route;
  const bundle = shopBundle(VICTIM) as unknown as WritableBundle;
  if (isCreateOffer(route)) {
    return [
      offerRequest(),
      offerRequest({ channel: 'basic', transactionId: 'T-1' }),
      { ...offerRequest({ channel: 'flash' }), schema: 'shop:v1' },
      hostileConfigRequest(rng),
    ];
  }
  if (template.endsWith('/confirm')) {
    return f.fresh.flatMap((o) => [
      confirmBody([o.quote]),
      confirmBody([o.quote], {
        partner_transaction_id: 'P-1',
        quotes: [{ id: o.quote, insured: [{ first_name: 'A', last_name: 'B', birth_date: '1990-01-01', age: 30 }] }],
      }),
    ]);
  }
  if (template.endsWith('/opt_out')) return [{}, { partner_metadata: { reason: 'declined' } }, { anything: [1, { b: 'c' }] }];
  if (template === '/admin/partners' && method === 'POST') {
    const code = `P${rng.int(1_000_000)}`;
    return [
      { code, name: 'New', status: 'active', default_schema: 'shop:v1', rate_limits: { create: 10, confirm: 10, other: 10, test: 2 } },
      { code, name: 'Bare' },
    ];
  }
  if (template === '/admin/partners/{code}' && method === 'PATCH') {
    return [{ name: 'Renamed' }, { status: 'suspended' }, { rate_limits: null }, { rate_limits: { create: 5, confirm: 5, other: 5, test: 1 } }];
  }
  if (template.endsWith('/api-keys') && method === 'POST') return [{ mode: 'live', name: 'k' }, { mode: 'test', signing: true }, { mode: 'live' }];
  if (template === '/admin/admin-keys' && method === 'POST') return [{ name: 'ops' }];
  if (template.endsWith('/bundle') && method === 'PUT') return [bundle];
  if (template.endsWith('/schemas/{id}') && method === 'PUT') return [{ description: 'd', json_schema: bundle.schemas[0]?.json_schema }];
  if (template.endsWith('/offer-configs/{id}') && method === 'PUT') return bundle.offer_configs;
  if (template.endsWith('/offers/preview')) {
    return [
      { request: offerRequest() },
      { request: offerRequest({ channel: 'basic' }), bundle: shopBundle(VICTIM), key_mode: 'test', key_id: f.victimKeyIds[0] },
      { request: hostileConfigRequest(rng) },
    ];
  }
  return [{}];
}

// ---------------------------------------------------------------------------------------------
// Requests

/** `hostile-config`: a Create Offer request (or preview) for one of VICTIM's hostile configs */
type BodyKind = 'none' | 'empty' | 'valid' | 'hostile-config' | 'schema' | 'random' | 'large' | 'text' | 'bytes';

interface Draw {
  method: string;
  params: readonly string[];
  query: string;
  partnerKey: string | string[] | undefined;
  adminKey: string | string[] | undefined;
  signature: string | undefined;
  headers: Record<string, string>;
  body: { kind: BodyKind; seed: number };
  contentType: string | undefined;
  encoding: string | undefined;
  chunked: boolean;
}

interface Probe {
  method: string;
  /** the path and query as written on the request line */
  target: string;
  headers: Record<string, string | string[]>;
  body: Buffer | null;
  chunked: boolean;
  /** how the body was made */
  note: string;
}

const clip = (s: string, n: number): string => (s.length <= n ? s : `${s.slice(0, n)}… (${s.length} chars)`);

function showProbe(p: Probe): string {
  const headers = Object.fromEntries(Object.entries(p.headers).map(([k, v]) => [k, Array.isArray(v) ? v.map((x) => clip(x, 120)) : clip(v, 120)]));
  let body = '(no body)';
  if (p.body !== null) {
    body = `${p.body.length} bytes${p.chunked ? ', chunked' : ''} (${p.note})`;
    body += p.body.length <= 4096 ? `, base64 ${p.body.toString('base64')}` : `, starting ${JSON.stringify(p.body.subarray(0, 600).toString('latin1'))}`;
  }
  return `${p.method} ${clip(p.target, 600)}\n  headers: ${JSON.stringify(headers)}\n  body: ${body}`;
}

/** header value characters Node lets a client send */
const HEADER_CHARS = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 !"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~\t', '\u00e9', '\u00ff', '\u0080'];
const headerText = (maxLength: number) => fc.string({ unit: fc.constantFrom(...HEADER_CHARS), maxLength });

/** path segments as written in the URL */
const HOSTILE_SEGMENTS = [
  '',
  '.',
  '..',
  '%2e',
  '%2E%2E',
  '...',
  '%2F',
  'a%2Fb',
  '%2F..%2F..%2Fetc%2Fpasswd',
  '..%2F..%2Fadmin',
  '%5C',
  '%',
  '%zz',
  '%C0%AF',
  '%FF',
  '%ED%A0%80',
  '%F0%9F%98%80',
  '%E2%80%AE',
  '%EF%BB%BF',
  '%20',
  '+',
  '~',
  '*',
  '_',
  '%25',
  "'",
  '%27%20OR%201%3D1--',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'null',
  'undefined',
  'NaN',
  'Infinity',
  '-1',
  '0',
  '00',
  '1e3',
  '1.5',
  '0x10',
  '1%20',
  '%201',
  '99999999999999999999',
  '9007199254740993',
  '999999999',
  '1000000000',
  'A'.repeat(5000),
  'é',
  '\u00ff\u00fe',
  ';',
  'a;b=c',
  '%3F',
  '%23',
  'a:b',
  '%3A',
  'shop%3Av1',
  '%uD800',
  'PROPMAIN%00',
  'propmain',
  'PROPMAIN%20',
  '00000000-0000-0000-0000-000000000000',
  '019ab7c3-5e21-7c4a-9d0e-3f6a1b2c4d5e',
];

/** query parameter names and values as written in the URL */
const HOSTILE_QUERY_KEYS = [
  '__proto__',
  'constructor',
  'constructor[prototype][polluted]',
  '__proto__[x]',
  'a[]',
  'a[b]',
  '%zz',
  '',
  '%E2%80%AE',
  'toString',
  'hasOwnProperty',
  'a.b',
  '%',
  '%FF',
  'q',
];
const HOSTILE_QUERY_VALUES = [
  '',
  '%',
  '%zz',
  '%C0%AF',
  '%FF',
  '%ED%A0%80',
  'a'.repeat(8000),
  '%E2%80%AE',
  '1e308',
  '-1',
  '0',
  'NaN',
  '9007199254740993',
  ',,,',
  '%2C%2C',
  'true,false',
  'TRUE',
  'yes',
  '2027-02-30',
  '2027-01-01T00:00:00Z',
  '2027-01-01T00%3A00%3A00%2B25%3A00',
  '+',
  '%20',
  '__proto__',
  '[]',
  '%7B%7D',
  'tax,commission,surcharge,benefits,experiment',
  'shop-cover',
  'shop-cover,shop-basic',
  '1000000',
  '100',
  '1',
  'PROPMAIN',
  'x%20y',
  'é',
  '%F0%9F%98%80',
];
/** values that mean something to the documented query parameters (a Map: `__proto__` is a name too) */
const QUERY_VALUES_BY_NAME = new Map<string, string[]>([
  ['include_content', ['true', 'false', '1', '0', 'yes', 'no', 'maybe']],
  ['active_only', ['true', 'false', '1', '0', 'maybe']],
  ['extra_fields', ['tax', 'tax,commission', 'surcharge,benefits,experiment', 'nope']],
  ['exclude_offer_ids', ['shop-cover', 'shop-cover,shop-basic', 'x']],
  ['partner_code', [MAIN, VICTIM, 'x']],
  ['action', ['bundle.write', 'partner.create', 'x']],
  ['from', ['2020-01-01', '2020-01-01T00:00:00Z', '2100-01-01T00:00:00Z', 'yesterday']],
  ['to', ['2100-01-01', '2100-01-01T00:00:00Z', '1970-01-01T00:00:00Z']],
  ['limit', ['1', '10', '200', '201', '0', '-5', '1.5']],
  ['before', ['00000000-0000-0000-0000-000000000000', 'x']],
]);

const CONTENT_TYPES = [
  'application/json; charset=utf-8',
  'application/json; charset=utf-16',
  'application/json; charset=utf-16le',
  'application/json; charset=latin1',
  'application/json; charset=nope',
  'application/json; charset=',
  'application/merge-patch+json',
  'application/vnd.api+json',
  'APPLICATION/JSON',
  'application/json;;;',
  'application/json, text/plain',
  'text/plain',
  'text/json',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  '*/*',
  'application/',
  '',
  'application/octet-stream',
];
const ENCODINGS = ['gzip', 'deflate', 'br', 'gzip-corrupt', 'gzip-bomb', 'identity', 'x-custom', 'gzip, gzip', 'GZIP'];

let gzipBomb: Buffer | undefined;
/** 30 MB of zeros, gzipped (~30 kB): more than any body limit once inflated */
function bomb(): Buffer {
  gzipBomb ??= gzipSync(Buffer.alloc(30 * 1024 * 1024));
  return gzipBomb;
}

function realParamValues(route: Route, name: string, f: Fixtures): string[] {
  const writes = !['GET', 'HEAD'].includes(route.method);
  switch (name) {
    case 'partner_code':
      return [MAIN, MAIN, MAIN, VICTIM];
    case 'code':
      // MAIN is only read: the batches after this one rely on it
      return writes ? [VICTIM] : [VICTIM, MAIN];
    case 'offer_id':
      // the open offers thrice: a Confirm body names the quote of one of them
      return [...f.offerIds, ...f.fresh.map((o) => o.id), ...f.fresh.map((o) => o.id)];
    case 'booking_id':
      return f.bookingIds;
    case 'schema_id':
      return ['shop:v1'];
    case 'version':
      return f.versions;
    case 'id':
      if (route.template.includes('/api-keys/')) return [...f.victimKeyIds, ...f.mainKeyIds];
      if (route.template.includes('/admin-keys/')) return f.adminKeyIds;
      if (route.template.includes('/schemas/')) return ['shop:v1', SPARE_SCHEMA, 'shop:v2'];
      if (route.template.includes('/offer-configs/')) return ['shop-cover', 'shop-basic', 'shop-flash', 'shop-new'];
      return [];
    default:
      return [];
  }
}

/** a URL segment of grapheme text (encodeURIComponent refuses lone surrogates, which graphemes never hold) */
const unicodeSegment = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }).map((s) => encodeURIComponent(s));

function paramArb(route: Route, name: string, f: Fixtures): fc.Arbitrary<string> {
  const real = realParamValues(route, name, f).flatMap((v) => [encodeURIComponent(v), v]);
  return fc.oneof(
    ...(real.length > 0 ? [{ weight: 20, arbitrary: fc.constantFrom(...real) }] : []),
    { weight: 5, arbitrary: fc.constantFrom(...HOSTILE_SEGMENTS) },
    { weight: 1, arbitrary: unicodeSegment },
    { weight: 1, arbitrary: fc.uuid() },
    { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9_.:-]{1,80}$/) },
  );
}

function queryArb(route: Route): fc.Arbitrary<string> {
  const names = [...route.query, ...route.query];
  const key = fc.oneof(...(names.length > 0 ? [{ weight: 4, arbitrary: fc.constantFrom(...names) }] : []), {
    weight: 1,
    arbitrary: fc.constantFrom(...HOSTILE_QUERY_KEYS),
  });
  const pair = key.chain((k) => {
    const own = QUERY_VALUES_BY_NAME.get(k);
    return fc
      .oneof(
        ...(own ? [{ weight: 3, arbitrary: fc.constantFrom(...own) }] : []),
        { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_QUERY_VALUES) },
        { weight: 1, arbitrary: unicodeSegment },
      )
      .map((v) => (v === '' && k.length > 2 ? k : `${k}=${v}`));
  });
  return fc.oneof(
    { weight: 4, arbitrary: fc.constant('') },
    { weight: 6, arbitrary: fc.array(pair, { minLength: 1, maxLength: 6 }).map((pairs) => `?${pairs.join('&')}`) },
    { weight: 1, arbitrary: fc.constantFrom('?', '?&&&', '?=', '?=&=', '?a', '?;', '?#frag', `?${'a=1&'.repeat(1500)}`, '?%', '?a=1&a=2&a=3&a=4') },
  );
}

function partnerKeyArb(f: Fixtures): fc.Arbitrary<string | string[] | undefined> {
  return fc.oneof(
    { weight: 24, arbitrary: fc.constant(f.mainKey) },
    { weight: 4, arbitrary: fc.constant(f.mainTestKey) },
    { weight: 1, arbitrary: fc.constant(f.victimKey) },
    { weight: 1, arbitrary: fc.constant(f.signing.key) },
    { weight: 1, arbitrary: fc.constant(f.revokedKey) },
    { weight: 3, arbitrary: fc.constant(undefined) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        '',
        ' ',
        'null',
        'x'.repeat(6000),
        '\u00ff\u00fe',
        `${f.mainKey} `,
        ` ${f.mainKey}`,
        f.mainKey.toUpperCase(),
        f.mainKey.slice(0, 12),
        `${f.mainKey}x`,
      ),
    },
    { weight: 1, arbitrary: headerText(80) },
    { weight: 1, arbitrary: fc.constant<string[]>([f.mainKey, f.mainKey]) },
    { weight: 1, arbitrary: fc.constant<string[]>([f.mainKey, 'other']) },
  );
}

function adminKeyArb(f: Fixtures, onAdminRoute: boolean): fc.Arbitrary<string | string[] | undefined> {
  return fc.oneof(
    { weight: onAdminRoute ? 24 : 1, arbitrary: fc.constant(TEST_ADMIN_KEY) },
    { weight: onAdminRoute ? 3 : 0, arbitrary: fc.constant(f.adminKey) },
    { weight: 1, arbitrary: fc.constant(f.revokedAdminKey) },
    { weight: onAdminRoute ? 3 : 12, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.constantFrom('', 'x'.repeat(6000), `${TEST_ADMIN_KEY} `, TEST_ADMIN_KEY.toUpperCase(), '\u00ff') },
    { weight: 1, arbitrary: headerText(60) },
    { weight: 1, arbitrary: fc.constant<string[]>([TEST_ADMIN_KEY, 'x']) },
  );
}

function signatureArb(f: Fixtures): fc.Arbitrary<string | undefined> {
  const k = f.signing.key;
  return fc.oneof(
    { weight: 14, arbitrary: fc.constant(undefined) },
    // computed for the final method and path in toProbe
    { weight: 3, arbitrary: fc.constant('valid') },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        'Signature',
        'Signature ',
        'Signature keyId=',
        'Signature keyId="x",algorithm="hmac-sha512",signature="%%%"',
        `Signature keyId="${k}",algorithm="md5",signature="x"`,
        `Signature keyId="${k}",algorithm="hmac-sha512",headers="(request-target) date x-missing",signature="a"`,
        `Signature ${'keyId="a",'.repeat(500)}`,
        `Signature keyId="${k}",algorithm="hmac-sha512",signature="${'A'.repeat(5000)}"`,
        `Signature keyId="${k}",algorithm="hmac-sha512",headers="",signature=""`,
        `Signature keyId="${k}",keyId="${k}",algorithm="hmac-sha1",signature="x"`,
        'Basic dXNlcjpwYXNz',
        'Signature keyId="\u00ff"',
      ),
    },
    { weight: 1, arbitrary: headerText(100).map((s) => `Signature ${s}`) },
  );
}

const extraHeadersArb = fc.record(
  {
    'x-idempotency-key': fc.oneof(fc.constant('prop-idem-1'), headerText(40), fc.constantFrom('', ' ', 'k'.repeat(5000), '\u00e9\u00ff')),
    'x-request-id': fc.oneof(headerText(40), fc.constant('r'.repeat(300))),
    accept: fc.constantFrom('application/xml', '*/*', 'text/html', '', 'application/json;q=0'),
    'x-forwarded-for': fc.constantFrom('1.2.3.4', 'garbage', '::1, 10.0.0.1', ''),
    date: fc.constantFrom('Thu, 01 Jan 1970 00:00:00 GMT', 'not a date', ''),
    'accept-encoding': fc.constantFrom('gzip', 'br', 'x-nope', '*'),
  },
  { requiredKeys: [] },
);

function bodyKindArb(route: Route): fc.Arbitrary<BodyKind> {
  const reads = route.bodySchema !== undefined || ['POST', 'PUT', 'PATCH'].includes(route.method);
  const w = (kind: BodyKind, weight: number) => ({ weight, arbitrary: fc.constant(kind) });
  return reads
    ? fc.oneof(w('valid', 50), w('schema', 18), w('random', 8), w('large', 8), w('text', 8), w('bytes', 8), w('empty', 6), w('none', 8))
    : fc.oneof(w('none', 60), w('valid', 4), w('random', 4), w('large', 3), w('text', 4), w('bytes', 4), w('empty', 4));
}

/** Anything: every part of the request may be hostile (method, path, keys, headers, body, its type and encoding). */
function hostileDrawArb(route: Route, f: Fixtures): fc.Arbitrary<Draw> {
  const otherMethods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'].filter((m) => m !== route.method);
  return fc.record({
    method: fc.oneof(
      { weight: 20, arbitrary: fc.constant(route.method) },
      { weight: route.method === 'GET' ? 2 : 0, arbitrary: fc.constant('HEAD') },
      { weight: 1, arbitrary: fc.constantFrom(...otherMethods) },
    ),
    params: route.params.length > 0 ? fc.tuple(...route.params.map((p) => paramArb(route, p, f))) : fc.constant<string[]>([]),
    query: queryArb(route),
    partnerKey: route.admin ? fc.oneof({ weight: 6, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: partnerKeyArb(f) }) : partnerKeyArb(f),
    adminKey: adminKeyArb(f, route.admin),
    signature: route.admin ? fc.constant(undefined) : signatureArb(f),
    headers: extraHeadersArb,
    body: fc.record({ kind: bodyKindArb(route), seed: fc.integer() }),
    contentType: fc.oneof(
      { weight: 14, arbitrary: fc.constant('application/json') },
      { weight: 4, arbitrary: fc.constantFrom(...CONTENT_TYPES) },
      { weight: 2, arbitrary: fc.constant(undefined) },
    ),
    encoding: fc.oneof({ weight: 18, arbitrary: fc.constant(undefined) }, { weight: 2, arbitrary: fc.constantFrom(...ENCODINGS) }),
    chunked: fc.oneof({ weight: 9, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  });
}

/**
 * A request that gets past routing and authentication (the route's method, real ids, a valid key
 * or signature, JSON): only its body and query are hostile, so they reach the route's own code.
 */
function authenticDrawArb(route: Route, f: Fixtures): fc.Arbitrary<Draw> {
  const realParam = (name: string) => {
    const real = name === 'partner_code' ? [MAIN] : realParamValues(route, name, f);
    return real.length > 0 ? fc.constantFrom(...real.map((v) => encodeURIComponent(v))) : paramArb(route, name, f);
  };
  type Auth = Pick<Draw, 'partnerKey' | 'adminKey' | 'signature'> & { victim?: true };
  const auth: fc.Arbitrary<Auth> = route.admin
    ? fc.constantFrom(
        { partnerKey: undefined, adminKey: TEST_ADMIN_KEY, signature: undefined },
        { partnerKey: undefined, adminKey: f.adminKey, signature: undefined },
      )
    : fc.constantFrom<Auth>(
        { partnerKey: f.mainKey, adminKey: undefined, signature: undefined },
        { partnerKey: f.mainKey, adminKey: undefined, signature: undefined },
        { partnerKey: f.mainTestKey, adminKey: undefined, signature: undefined },
        { partnerKey: undefined, adminKey: undefined, signature: 'valid' },
        // VICTIM as its own partner: its configuration is whatever the admin routes left it
        { partnerKey: f.victimKey, adminKey: undefined, signature: undefined, victim: true },
      );
  const jsonKinds: BodyKind[] =
    route.bodySchema === undefined
      ? ['none']
      : [
          'valid',
          'valid',
          'valid',
          'schema',
          'schema',
          'random',
          'large',
          ...(pricesOffers(route) ? (['hostile-config', 'hostile-config', 'hostile-config'] as const) : []),
        ];
  return fc
    .record({
      params: route.params.length > 0 ? fc.tuple(...route.params.map(realParam)) : fc.constant<string[]>([]),
      query: queryArb(route),
      auth,
      idempotency: fc.option(headerText(40), { nil: undefined }),
      body: fc.record({ kind: fc.constantFrom(...jsonKinds), seed: fc.integer() }),
    })
    .map(({ auth, idempotency, params, ...rest }): Draw => {
      // the hostile configs are VICTIM's: their requests go to VICTIM with VICTIM's key
      const victim = auth.victim === true || (!route.admin && rest.body.kind === 'hostile-config');
      const keys = victim ? { partnerKey: f.victimKey, adminKey: undefined, signature: undefined } : auth;
      return {
        ...rest,
        partnerKey: keys.partnerKey,
        adminKey: keys.adminKey,
        signature: keys.signature,
        params: victim ? params.map((v, i) => (route.params[i] === 'partner_code' ? VICTIM : v)) : params,
        method: route.method,
        headers: idempotency === undefined ? {} : { 'x-idempotency-key': idempotency },
        contentType: 'application/json',
        encoding: undefined,
        chunked: false,
      };
    });
}

function drawArb(route: Route, f: Fixtures): fc.Arbitrary<Draw> {
  return fc.oneof(hostileDrawArb(route, f), authenticDrawArb(route, f));
}

function bodyBytes(kind: BodyKind, seed: number, route: Route, doc: OpenApiDocument, f: Fixtures): Buffer | null {
  const rng = new Rng(seed);
  const budget: Budget = { large: 1 };
  const valid = (): unknown => rng.pick(validBodies(route, f, rng));
  switch (kind) {
    case 'none':
      return null;
    case 'empty':
      return Buffer.alloc(0);
    case 'valid':
      return Buffer.from(mutate(valid(), rng, rng.pick([0, 0, 0.02, 0.08, 0.25]), budget), 'utf8');
    case 'hostile-config':
      if (!pricesOffers(route)) return Buffer.from(JSON.stringify(valid()), 'utf8');
      return Buffer.from(JSON.stringify(route.admin ? { request: hostileConfigRequest(rng) } : hostileConfigRequest(rng)), 'utf8');
    case 'schema':
      return Buffer.from(fromSchema(route.bodySchema, doc, rng, budget, 0), 'utf8');
    case 'random':
      return Buffer.from(randomJson(rng, budget, 0), 'utf8');
    case 'large': {
      const large = largeValue(rng);
      if (rng.chance(0.3)) return Buffer.from(large, 'utf8');
      // in place of one field of a valid body
      const text = JSON.stringify(valid()) ?? '{}';
      const fields = [...text.matchAll(/"[a-z_]+":/g)];
      if (fields.length === 0) return Buffer.from(large, 'utf8');
      const at = rng.pick(fields);
      const start = (at.index ?? 0) + at[0].length;
      return Buffer.from(`${text.slice(0, start)}${large},"zz_rest":${text.slice(start)}`, 'utf8');
    }
    case 'text':
      return Buffer.from(rng.pick(NOT_JSON), 'utf8');
    case 'bytes': {
      const text = mutate(valid(), rng, 0.02, budget);
      switch (rng.int(6)) {
        case 0:
          return rng.pick(BAD_UTF8);
        case 1: {
          // invalid bytes right after a quote: inside a key or a string value
          const quotes = [...text.matchAll(/"/g)].map((m) => m.index ?? 0);
          const at = quotes.length > 0 ? rng.pick(quotes) + 1 : 0;
          return Buffer.concat([Buffer.from(text.slice(0, at), 'utf8'), rng.pick(BAD_UTF8), Buffer.from(text.slice(at), 'utf8')]);
        }
        case 2:
          return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
        case 3:
          return Buffer.concat([rng.chance(0.5) ? Buffer.from([0xff, 0xfe]) : Buffer.alloc(0), Buffer.from(text, 'utf16le')]);
        case 4:
          return Buffer.from(text.replace(/"([a-z]+)"/, '"$1\u00e9"'), 'latin1');
        default:
          return Buffer.from(Array.from({ length: rng.int(2000) }, () => rng.int(256)));
      }
    }
  }
}

function encode(body: Buffer, encoding: string): { bytes: Buffer; header: string } {
  switch (encoding) {
    case 'gzip':
      return { bytes: gzipSync(body), header: 'gzip' };
    case 'deflate':
      return { bytes: deflateSync(body), header: 'deflate' };
    case 'br':
      return { bytes: brotliCompressSync(body), header: 'br' };
    case 'gzip-corrupt':
      return { bytes: body, header: 'gzip' };
    case 'gzip-bomb':
      return { bytes: bomb(), header: 'gzip' };
    default:
      return { bytes: body, header: encoding };
  }
}

/** the `Authorization: Signature …` header as XCover's Python SDK computes it, with its Date */
function signedHeaders(f: Fixtures, method: string, target: string): Record<string, string> {
  const date = new Date().toUTCString();
  const path = target.split('?')[0] ?? target;
  const signed = `(request-target): ${method.toLowerCase()} ${path}\ndate: ${date}`;
  const signature = encodeURIComponent(createHmac('sha512', Buffer.from(f.signing.secret, 'utf8')).update(signed, 'utf8').digest('base64'));
  return { date, authorization: `Signature keyId="${f.signing.key}",algorithm="hmac-sha512",headers="(request-target) date",signature="${signature}"` };
}

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function namesMain(segment: string): boolean {
  let decoded = segment;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    // an invalid percent-encoding is compared as written
  }
  return decoded.trim().toUpperCase().startsWith(MAIN);
}

function toProbe(d: Draw, route: Route, doc: OpenApiDocument, f: Fixtures): Probe {
  let i = 0;
  const path = route.template.replace(/\{[^}]+\}/g, () => d.params[i++] ?? '');
  // MAIN is only read on admin routes: a write to MAIN (or to a spelling of it) is sent as a GET
  const code = route.params.includes('code') ? d.params[route.params.indexOf('code')] : undefined;
  const method = code !== undefined && namesMain(code) && !READ_METHODS.has(d.method) ? 'GET' : d.method;
  const target = `${path}${d.query}`;
  const headers: Record<string, string | string[]> = { ...d.headers };
  if (d.partnerKey !== undefined) headers['x-api-key'] = d.partnerKey;
  if (d.adminKey !== undefined) headers['x-admin-key'] = d.adminKey;
  if (d.signature === 'valid') Object.assign(headers, signedHeaders(f, method, target));
  else if (d.signature !== undefined) headers.authorization = d.signature;
  let body = bodyBytes(d.body.kind, d.body.seed, route, doc, f);
  if (body !== null) {
    if (d.contentType !== undefined) headers['content-type'] = d.contentType;
    if (d.encoding !== undefined) {
      const encoded = encode(body, d.encoding);
      body = encoded.bytes;
      headers['content-encoding'] = encoded.header;
    }
  }
  const note = `${d.body.kind} body, seed ${d.body.seed}${d.encoding ? `, ${d.encoding}` : ''}`;
  const probe: Probe = { method, target, headers, body, chunked: d.chunked, note };
  return Object.assign(probe, { [fc.toStringMethod]: () => showProbe(probe) });
}

interface Answer {
  status: number;
  text: string;
}

/**
 * Sends the request byte for byte (supertest cannot send a body with HEAD, nor invalid UTF-8), on a
 * connection of its own, closed by this side once the answer is in: a server that closes first
 * while a body it never reads is still arriving resets the connection, which can cut its answer.
 */
function send(port: number, p: Probe): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: OutgoingHttpHeaders = { connection: 'keep-alive', ...p.headers };
    if (p.body !== null && !p.chunked) headers['content-length'] = p.body.length;
    const req = httpRequest({ host: '127.0.0.1', port, method: p.method, path: p.target, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
        req.destroy();
      });
      res.on('error', reject);
    });
    req.setTimeout(20_000, () => req.destroy(new Error('no answer within 20 s')));
    req.on('error', reject);
    if (p.body === null) req.end();
    else if (p.chunked) {
      // two chunks, so the body really travels chunked
      const half = Math.floor(p.body.length / 2);
      req.write(p.body.subarray(0, half));
      req.end(p.body.subarray(half));
    } else req.end(p.body);
  });
}

// ---------------------------------------------------------------------------------------------

interface JsonAnswer {
  status: number;
  body: Record<string, unknown>;
}

describe('every route under hostile input (property, e2e)', () => {
  let t: TestApp;
  let server: Server;
  let port: number;
  let doc: OpenApiDocument;
  let routes: Route[];
  let f: Fixtures;
  /** lines the app logged at level error (50) or above */
  const errorLines: string[] = [];
  const consoleErrors: string[] = [];
  const restoreLogs: Array<() => void> = [];
  /** the HOSTILE_PRICING configs VICTIM's bundle check accepts */
  const acceptedHostile: number[] = [];

  /** a request the test itself makes (JSON both ways) */
  async function call(method: string, path: string, headers: Record<string, string>, body?: unknown): Promise<JsonAnswer> {
    const bytes = body === undefined ? null : Buffer.from(JSON.stringify(body), 'utf8');
    const answer = await send(port, {
      method,
      target: path,
      headers: { ...headers, ...(bytes ? { 'content-type': 'application/json' } : {}) },
      body: bytes,
      chunked: false,
      note: 'fixture',
    });
    let parsed: Record<string, unknown> = {};
    try {
      parsed = answer.text === '' ? {} : (JSON.parse(answer.text) as Record<string, unknown>);
    } catch {
      parsed = { text: answer.text };
    }
    return { status: answer.status, body: parsed };
  }
  const admin = { 'x-admin-key': TEST_ADMIN_KEY };

  async function expectStatus(what: string, res: Promise<JsonAnswer>, ...statuses: number[]): Promise<Record<string, unknown>> {
    const r = await res;
    if (!statuses.includes(r.status)) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }

  async function writeBundle(code: string): Promise<void> {
    // a copy: shopBundle shares its schema object between calls
    const bundle = structuredClone(shopBundle(code)) as unknown as WritableBundle;
    bundle.partner.rate_limits = { create: 100_000, confirm: 100_000, other: 100_000, test: 100_000 };
    bundle.schemas.push({ id: SPARE_SCHEMA, json_schema: {} });
    if (code === VICTIM) withHostileConfigs(bundle, acceptedHostile);
    await expectStatus(`bundle of ${code}`, call('PUT', `/admin/partners/${code}/bundle`, admin, bundle), 200);
  }

  async function newKey(code: string, body: Record<string, unknown>): Promise<{ id: string; key: string; secret?: string }> {
    return (await expectStatus(`key of ${code}`, call('POST', `/admin/partners/${code}/api-keys`, admin, body), 201)) as {
      id: string;
      key: string;
      secret?: string;
    };
  }

  async function newOffer(channel: 'web' | 'basic' | 'flash' = 'web'): Promise<{ id: string; quote: string }> {
    const offer = (await expectStatus('offer', call('POST', `/x/partners/${MAIN}/offers`, { 'x-api-key': f.mainKey }, offerRequest({ channel })), 200)) as {
      id: string;
      products: Array<{ id: string }>;
    };
    return { id: offer.id, quote: offer.products[0]?.id ?? '' };
  }

  async function setUp(): Promise<void> {
    await writeBundle(MAIN);
    const live = await newKey(MAIN, { mode: 'live', name: 'property' });
    const test = await newKey(MAIN, { mode: 'test', name: 'property test' });
    const signing = await newKey(MAIN, { mode: 'live', name: 'property signing', signing: true });
    const revoked = await newKey(MAIN, { mode: 'live', name: 'revoked' });
    await expectStatus('revoke', call('DELETE', `/admin/partners/${MAIN}/api-keys/${revoked.id}`, admin), 204);
    await writeBundle(VICTIM);
    for (const i of HOSTILE_PRICING.keys()) {
      const put = await call('PUT', `/admin/partners/${VICTIM}/offer-configs/hostile-${i}`, admin, hostileConfig(i));
      if (put.status === 200) acceptedHostile.push(i);
      else if (put.status !== 422) throw new Error(`hostile pricing ${i}: ${put.status} ${JSON.stringify(put.body)}`);
    }
    expect(acceptedHostile.length).toBeGreaterThan(0);
    await writeBundle(VICTIM);
    const victim = await newKey(VICTIM, { mode: 'live', name: 'victim' });
    const adminKey = (await expectStatus('admin key', call('POST', '/admin/admin-keys', admin, { name: 'property' }), 201)) as { id: string; key: string };
    const revokedAdmin = (await expectStatus('admin key', call('POST', '/admin/admin-keys', admin, { name: 'revoked' }), 201)) as { id: string; key: string };
    await expectStatus('revoke admin key', call('DELETE', `/admin/admin-keys/${revokedAdmin.id}`, admin), 204);
    f = {
      mainKey: live.key,
      mainTestKey: test.key,
      signing: { key: signing.key, secret: signing.secret ?? '' },
      mainKeyIds: [live.id, test.id, signing.id],
      offerIds: [],
      fresh: [],
      bookingIds: [],
      victimKey: victim.key,
      victimKeyIds: [victim.id],
      versions: ['1', '2'],
      adminKey: adminKey.key,
      adminKeyIds: [adminKey.id, revokedAdmin.id],
      revokedKey: revoked.key,
      revokedAdminKey: revokedAdmin.key,
    };
    const signed = await send(port, {
      method: 'GET',
      target: `/x/partners/${MAIN}/key`,
      headers: signedHeaders(f, 'GET', `/x/partners/${MAIN}/key`),
      body: null,
      chunked: false,
      note: '',
    });
    if (signed.status !== 200) throw new Error(`a signed request: ${signed.status} ${signed.text}`);
    const booked = await newOffer();
    const booking = await expectStatus(
      'confirm',
      call('POST', `/x/partners/${MAIN}/offers/${booked.id}/confirm`, { 'x-api-key': f.mainKey }, confirmBody([booked.quote])),
      200,
    );
    f.bookingIds.push(String(booking.id));
    const optedOut = await newOffer();
    await expectStatus('opt out', call('POST', `/x/partners/${MAIN}/offers/${optedOut.id}/opt_out`, { 'x-api-key': f.mainKey }, {}), 200, 204);
    const expired = await newOffer('flash');
    f.offerIds.push(booked.id, optedOut.id, expired.id);
  }

  /**
   * After each batch: MAIN must still work untouched (no random request names it in a write), and
   * VICTIM is put back (active, its bundle, a live key), so the next batch's real ids are real.
   */
  async function refresh(): Promise<void> {
    await expectStatus(`${MAIN}'s key after the batch`, call('GET', `/x/partners/${MAIN}/key`, { 'x-api-key': f.mainKey }), 200);
    const partner = await call('PATCH', `/admin/partners/${VICTIM}`, admin, { status: 'active' });
    if (partner.status !== 200) throw new Error(`reactivating ${VICTIM}: ${partner.status} ${JSON.stringify(partner.body)}`);
    await writeBundle(VICTIM);
    const keys = (await expectStatus('victim keys', call('GET', `/admin/partners/${VICTIM}/api-keys`, admin), 200)) as {
      items: Array<{ id: string; revoked_at: string | null }>;
    };
    f.victimKeyIds = keys.items.map((k) => k.id).slice(0, 5);
    const alive = await call('GET', `/x/partners/${VICTIM}/key`, { 'x-api-key': f.victimKey });
    if (alive.status !== 200) f.victimKey = (await newKey(VICTIM, { mode: 'live', name: 'victim' })).key;
    const versions = (await expectStatus('versions', call('GET', `/admin/partners/${VICTIM}/bundle/versions`, admin), 200)) as unknown as Array<{
      version: number;
    }>;
    f.versions = [...new Set([1, ...versions.slice(-3).map((v) => v.version)])].map(String);
    const adminAlive = await call('GET', '/admin/admin-keys', { 'x-admin-key': f.adminKey });
    if (adminAlive.status !== 200) {
      const created = (await expectStatus('admin key', call('POST', '/admin/admin-keys', admin, { name: 'property' }), 201)) as { id: string; key: string };
      f.adminKey = created.key;
      f.adminKeyIds = [created.id, ...f.adminKeyIds].slice(0, 4);
    }
    // two open offers for Confirm and opt-out; the ones before join the pool, booked or not
    f.fresh = [await newOffer(), await newOffer('basic')];
    f.offerIds = [...f.offerIds.slice(0, 3), ...f.offerIds.slice(3).slice(-6), ...f.fresh.map((o) => o.id)];
  }

  beforeAll(async () => {
    // the app logs to stdout through pino's destination: every line at error (50) or above is kept
    for (const sync of [false, true]) {
      const dest = logDestination(sync) as unknown as { write: (s: string) => boolean };
      const original = dest.write;
      dest.write = (s: string) => {
        for (const line of s.split('\n')) {
          if (line.trim() === '') continue;
          let level = 0;
          try {
            level = Number((JSON.parse(line) as { level?: unknown }).level);
          } catch {
            // a line that is not pino's JSON is kept as well
            level = 50;
          }
          if (level >= 50) errorLines.push(line);
        }
        return true;
      };
      restoreLogs.push(() => (dest.write = original));
    }
    const spy = jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
      consoleErrors.push(args.map(String).join(' '));
    });
    restoreLogs.push(() => spy.mockRestore());
    t = await startTestApp({
      logLevel: 'warn',
      logSync: false,
      // every failed authentication counts against 127.0.0.1: high enough never to answer 429 here
      authFailLimitPerMin: 100_000,
      appEncryptionKey: ENCRYPTION_KEY,
    });
    // Nest buffers what its Logger logs until the app listens (main.ts does; the test app is only
    // initialised): flushing hands every later line to pino at once, as in production
    t.app.flushLogs();
    server = createServer(t.app.getHttpAdapter().getInstance() as RequestListener).listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
    const docAnswer = await send(port, { method: 'GET', target: '/docs-json', headers: {}, body: null, chunked: false, note: '' });
    doc = JSON.parse(docAnswer.text) as OpenApiDocument;
    routes = routesOf(doc, t.config.apiPrefixes);
    await setUp();
  }, 60_000);

  afterAll(async () => {
    server?.close();
    await t?.close();
    for (const restore of restoreLogs) restore();
  });

  it(`never answers 5xx nor logs an error, on every route of the document (seed ${SEED}, ${RUNS} cases)`, async () => {
    expect(routes.length).toBeGreaterThan(30);
    for (const prefix of t.config.apiPrefixes) {
      expect(routes.filter((r) => r.template.startsWith(`${prefix}/partners/`)).length).toBeGreaterThan(5);
    }
    /** one batch: `numRuns` requests, each checked as it is answered, then the app must still answer */
    const batch = async (label: string, seed: number, numRuns: number, cases: fc.Arbitrary<{ route: Route; probe: Probe }>): Promise<void> => {
      await fc.assert(
        fc.asyncProperty(cases, async ({ route, probe }) => {
          const errorsBefore = errorLines.length + consoleErrors.length;
          const answer = await send(port, probe);
          if (answer.status >= 500) {
            throw new Error(`${answer.status} for ${route.method} ${route.template} (${label}):\n${showProbe(probe)}\n  answer: ${clip(answer.text, 1000)}`);
          }
          if (errorLines.length + consoleErrors.length > errorsBefore) {
            const logged = [...errorLines, ...consoleErrors].slice(0, 3).map((l) => clip(l, 2000));
            throw new Error(
              `logged at level error after ${route.method} ${route.template} (${label}, answered ${answer.status}):\n${showProbe(probe)}\n  log: ${logged.join('\n       ')}`,
            );
          }
        }),
        { seed, numRuns, endOnFailure: true },
      );
      const health = await call('GET', '/health/live', {});
      expect({ after: label, status: health.status }).toEqual({ after: label, status: 200 });
    };
    const caseOf = (route: Route, fixtures: Fixtures) => drawArb(route, fixtures).map((d) => ({ route, probe: toProbe(d, route, doc, fixtures) }));

    // four fifths route by route (every route is exercised), the rest with routes drawn at random,
    // so that a request meets what other routes changed (VICTIM's configuration, keys, partners)
    const perRoute = Math.floor((RUNS * 4) / 5);
    let done = 0;
    for (const [index, route] of routes.entries()) {
      const numRuns = Math.floor(perRoute / routes.length) + (index < perRoute % routes.length ? 1 : 0);
      if (numRuns === 0) continue;
      await refresh();
      await batch(`route ${index}, seed ${SEED + index}`, SEED + index, numRuns, caseOf(route, f));
      done += numRuns;
    }
    await refresh();
    const mixed = RUNS - done;
    if (mixed > 0) {
      const fixtures = f;
      await batch(
        `routes at random, seed ${SEED + routes.length}`,
        SEED + routes.length,
        mixed,
        fc.constantFrom(...routes).chain((route) => caseOf(route, fixtures)),
      );
      done += mixed;
    }
    await refresh();
    expect(done).toBe(RUNS);
    expect(errorLines).toEqual([]);
    expect(consoleErrors).toEqual([]);
  }, 600_000);
});
