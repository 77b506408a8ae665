import { CANCELLATION_DEFAULTS, MODIFICATION_DEFAULTS } from '../bundle/bundle.types';
import { CelEnvironment, toCelInput, type CelBookingQuote, type CelQuote, type CelVars } from './cel-environment';
import { celSchemaFromJsonSchema } from './cel-schema';
import { ExpressionEvaluationError } from './expression-evaluation-error';

const travelSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  required: ['customer', 'context'],
  definitions: {
    traveller: { type: 'object', properties: { age: { type: 'integer' }, name: { type: 'string' } } },
  },
  properties: {
    customer: {
      type: 'object',
      properties: {
        country: { type: 'string' },
        language: { type: 'string' },
        vip: { type: 'boolean' },
        tier: { enum: ['gold', 'silver'] },
      },
    },
    context: {
      type: 'object',
      required: ['trip_cost', 'departure_date'],
      properties: {
        trip_cost: { type: 'number' },
        travellers: { type: 'integer' },
        departure_date: { type: 'string', format: 'date' },
        discount: { type: 'number' },
        destinations: { type: 'array', items: { type: 'string' } },
        people: { type: 'array', items: { $ref: '#/definitions/traveller' } },
        lead: { $ref: '#/definitions/traveller' },
        metadata: { type: 'object' },
        extra: { type: ['number', 'null'] },
      },
    },
  },
};

const now = new Date('2026-06-01T00:00:00Z');

function vars(context: Record<string, unknown>, extra: Partial<CelVars> = {}): CelVars {
  return { customer: { country: 'AU', language: 'en' }, context, partner: { customer_id: 'c-1' }, now, ...extra };
}

describe('celSchemaFromJsonSchema', () => {
  it('maps JSON Schema types to CEL types, following local $ref', () => {
    const s = celSchemaFromJsonSchema(travelSchema);
    expect(s.customer).toEqual({ country: 'string', language: 'string', vip: 'bool', tier: 'string' });
    expect(s.context).toMatchObject({
      trip_cost: 'double',
      travellers: 'double',
      departure_date: 'string',
      destinations: 'list<string>',
      people: 'list<map<string, dyn>>',
      lead: { age: 'double', name: 'string' },
      metadata: 'map<string, dyn>',
      extra: 'dyn',
    });
    // not described by the schema: still a (dyn) map
    expect(s.partner).toBe('map<string, dyn>');
  });

  it('survives schemas that are not objects, cyclic refs and remote refs', () => {
    expect(celSchemaFromJsonSchema(undefined)).toEqual({
      customer: 'map<string, dyn>',
      context: 'map<string, dyn>',
      partner: 'map<string, dyn>',
    });
    const cyclic = {
      definitions: { node: { type: 'object', properties: { next: { $ref: '#/definitions/node' }, v: { type: 'number' } } } },
      properties: { context: { $ref: '#/definitions/node' }, partner: { $ref: 'https://example.com/x.json' } },
    };
    const s = celSchemaFromJsonSchema(cyclic);
    expect(s.context).toEqual({ next: 'dyn', v: 'double' });
    expect(s.partner).toBe('map<string, dyn>');
  });
});

describe('CelEnvironment.check', () => {
  const env = CelEnvironment.forSchema(travelSchema);

  it('rejects double * int with a hint that says how to fix it', () => {
    const r = env.check('context.trip_cost * 5', 'number');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.message).toContain('no such overload: double * int');
    expect(r.message).toContain('JSON numbers are double in CEL: write 5.0 instead of 5');
    expect(env.check('context.trip_cost * 5.0', 'number')).toEqual({ ok: true, type: 'double' });
  });

  it('gives the hint for == and for ternaries mixing double and int', () => {
    for (const expr of ['context.trip_cost == 100', 'context.trip_cost > 0.0 ? context.trip_cost : 0']) {
      const r = env.check(expr);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.message).toMatch(/JSON numbers are double in CEL: write (100|0)\.0 instead of (100|0)/);
    }
    // < and > across int and double are fine in CEL
    expect(env.check('context.trip_cost > 0', 'bool').ok).toBe(true);
  });

  it('rejects unknown fields and syntax errors', () => {
    const unknown = env.check('context.nope');
    expect(unknown).toEqual({ ok: false, message: expect.stringContaining('No such key: nope') });
    const syntax = env.check('context.trip_cost *');
    expect(syntax.ok).toBe(false);
    if (!syntax.ok) expect(syntax.message).not.toContain('\n');
    expect(env.check('quote.price').ok).toBe(false);
    expect(env.check('')).toEqual({ ok: false, message: 'expression is empty' });
    expect(env.check('1.0 + '.repeat(600) + '1.0').ok).toBe(false);
  });

  it('accepts the expressions partners write', () => {
    expect(env.check("customer.country in ['AU','NZ']", 'bool')).toEqual({ ok: true, type: 'bool' });
    expect(env.check("timestamp(context.departure_date + 'T00:00:00Z') > now", 'bool').ok).toBe(true);
    expect(env.check("timestamp(context.departure_date + 'T00:00:00Z')", 'timestamp').ok).toBe(true);
    expect(env.check('has(context.discount) ? context.discount : 0.0', 'number').ok).toBe(true);
    expect(env.check('context.people.size() > 0 && context.people[0].age > 17.0', 'bool').ok).toBe(true);
    expect(env.check('context.lead.age * 2.0', 'number').ok).toBe(true);
    expect(env.check('partner.customer_id', 'any').ok).toBe(true);
    expect(env.check("customer.tier == 'gold'", 'bool').ok).toBe(true);
    expect(env.check('context.lead.nope').ok).toBe(false);
  });

  it('enforces the expected result type', () => {
    expect(env.check('context.trip_cost', 'bool')).toEqual({
      ok: false,
      message: 'must give a bool, but this expression gives double',
    });
    expect(env.check("'x'", 'number').ok).toBe(false);
    expect(env.check('context.trip_cost', 'timestamp').ok).toBe(false);
    expect(env.check('5', 'number')).toEqual({ ok: true, type: 'int' });
    expect(env.check('now', 'timestamp')).toEqual({ ok: true, type: 'google.protobuf.Timestamp' });
    // dyn is only known at run time: accepted
    expect(env.check('context.metadata.rate', 'number').ok).toBe(true);
  });

  it('declares quote only when asked to', () => {
    const withQuote = CelEnvironment.forSchema(travelSchema, { withQuote: true });
    expect(withQuote.check('quote.price_formatted').ok).toBe(true);
    expect(withQuote.check('quote.benefits[1].excess_formatted').ok).toBe(true);
    expect(withQuote.check('quote.policy_end_date > quote.policy_start_date', 'bool').ok).toBe(true);
    expect(withQuote.check('quote.nope').ok).toBe(false);
    const r = env.check('quote.price');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain('the variables are customer, context, partner, now');
  });

  it('memoises environments per schema object', () => {
    expect(CelEnvironment.forSchema(travelSchema)).toBe(env);
    expect(CelEnvironment.forSchema(travelSchema, { withQuote: true })).not.toBe(env);
  });
});

describe('CompiledExpression.evaluate', () => {
  const env = CelEnvironment.forSchema(travelSchema);

  it('folds expressions that read no variable into constants, with the same values', () => {
    const ctx = vars({ trip_cost: 100, departure_date: '2026-12-01' });
    for (const [expr, value] of [
      ['0.25', 0.25],
      ['1500.0 * 2.0', 3000],
      ["'EUR'", 'EUR'],
      ['true && !false', true],
      ['[1, 2, 3].size()', BigInt(3)],
      ['null', null],
    ] as const) {
      const c = env.compile(expr);
      expect(c.constant).toBe(true);
      expect(c.evaluate(ctx)).toBe(value);
      expect(c.evaluate(ctx)).toBe(value);
    }
    // reading a variable, a comprehension's own variable, or giving a mutable value: evaluated each time
    for (const expr of ['context.trip_cost * 0.25', '[1, 2].all(x, x > 0)', "timestamp('2027-03-01T00:00:00Z')", '[1, 2]']) {
      expect(env.compile(expr).constant).toBe(false);
    }
    expect(env.compile('context.trip_cost * 0.25').evaluate(ctx)).toBe(25);
    expect(env.compile('[1, 2].all(x, x > 0)').evaluate(ctx)).toBe(true);
    // a constant expression that fails is not folded: it fails, with its message, every time
    const failing = env.compile('1 / 0');
    expect(failing.constant).toBe(false);
    expect(() => failing.evaluate(ctx)).toThrow(ExpressionEvaluationError);
    expect(() => failing.evaluate(ctx)).toThrow(/division by zero/i);
  });

  it('evaluates over a plain nested JSON request body', () => {
    const context = {
      trip_cost: 1299,
      travellers: 2,
      departure_date: '2026-12-01',
      destinations: ['FR', 'IT'],
      people: [{ age: 40, name: 'A' }],
      lead: { age: 40, name: 'A', not_in_schema: true },
      metadata: { rate: 0.5, nested: { deep: [1, 2] } },
      not_in_schema: 'kept',
    };
    expect(env.compile('context.trip_cost * 0.015').evaluate(vars(context))).toBe(19.485);
    expect(env.compile("'IT' in context.destinations").evaluate(vars(context))).toBe(true);
    expect(env.compile('context.people[0].age').evaluate(vars(context))).toBe(40);
    expect(env.compile('context.lead.name').evaluate(vars(context))).toBe('A');
    expect(env.compile('context.metadata.nested.deep[1]').evaluate(vars(context))).toBe(2);
    expect(env.compile('has(context.discount)').evaluate(vars(context))).toBe(false);
    expect(env.compile('has(context.trip_cost)').evaluate(vars(context))).toBe(true);
    expect(env.compile("timestamp(context.departure_date + 'T00:00:00Z') > now").evaluate(vars(context))).toBe(true);
    expect(env.compile("timestamp(context.departure_date + 'T00:00:00Z')").evaluate(vars(context))).toEqual(new Date('2026-12-01T00:00:00Z'));
    expect(env.compile('partner.customer_id').evaluate(vars(context))).toBe('c-1');
  });

  it('treats absent variables as empty maps', () => {
    const compiled = env.compile('has(partner.customer_id)');
    expect(compiled.evaluate({ customer: undefined, context: {}, partner: undefined, now })).toBe(false);
  });

  it('turns every runtime failure into ExpressionEvaluationError', () => {
    const cases: Array<[string, Record<string, unknown>]> = [
      ['context.discount * 2.0', { trip_cost: 1 }], // absent field
      ['context.travellers / 0.0 > 1.0 ? 1 / 0 : 0', { travellers: 2 }], // int division by zero
      ['context.trip_cost * 2.0', { trip_cost: 'abc' }], // wrong runtime type
      ['partner.nope', {}], // missing map key
    ];
    for (const [expr, context] of cases) {
      let thrown: unknown;
      try {
        env.compile(expr).evaluate(vars(context));
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toBeInstanceOf(ExpressionEvaluationError);
      const e = thrown as ExpressionEvaluationError;
      expect(e.expression).toBe(expr);
      expect(e.message).not.toContain('\n');
    }
  });

  it('compiles a failing expression once and fails on evaluate, not on compile', () => {
    const compiled = env.compile('context.trip_cost *');
    expect(compiled.ok).toBe(false);
    expect(() => compiled.evaluate(vars({ trip_cost: 1 }))).toThrow(ExpressionEvaluationError);
  });

  it('parses each expression text once (compile cache), never on evaluate', () => {
    const local = CelEnvironment.forSchema(JSON.parse(JSON.stringify(travelSchema)) as object);
    const parsesBefore = CelEnvironment.parseCount;
    const compilesBefore = CelEnvironment.compileCount;
    const first = local.compile('context.trip_cost * 0.045');
    for (let i = 0; i < 100; i++) {
      expect(local.compile('context.trip_cost * 0.045')).toBe(first);
      first.evaluate(vars({ trip_cost: i }));
    }
    expect(CelEnvironment.parseCount - parsesBefore).toBe(1);
    expect(CelEnvironment.compileCount - compilesBefore).toBe(1);
    expect(local.compiledCount).toBe(1);
  });

  it('binds quote for product content, with typed benefits', () => {
    const q = CelEnvironment.forSchema(travelSchema, { withQuote: true });
    const quote: CelQuote = {
      code: 'WARRANTY_2Y',
      name: 'Warranty',
      premium: 100,
      price: 113,
      tax: 13,
      surcharge: 0,
      commission: 25,
      premium_formatted: '$100.00',
      price_formatted: '$113.00',
      tax_formatted: '$13.00',
      surcharge_formatted: '$0.00',
      commission_formatted: '$25.00',
      policy_start_date: new Date('2027-01-01T00:00:00Z'),
      policy_end_date: new Date('2029-01-01T00:00:00Z'),
      benefits: [
        { description: 'Repair', limit: 1000, limit_formatted: '$1,000.00' },
        { description: 'Damage', limit: 500, limit_formatted: '$500.00', excess: 25, excess_formatted: '$25.00' },
      ],
    };
    const v = vars({ trip_cost: 1 }, { quote });
    expect(q.compile('quote.price_formatted').evaluate(v)).toBe('$113.00');
    expect(q.compile('quote.benefits[1].excess_formatted').evaluate(v)).toBe('$25.00');
    expect(q.compile('quote.policy_end_date > quote.policy_start_date').evaluate(v)).toBe(true);
    expect(() => q.compile('quote.benefits[0].excess').evaluate(v)).toThrow(ExpressionEvaluationError);
  });
});

describe('the booking-quote environment (cancellation and modification rules)', () => {
  const env = CelEnvironment.forSchema(travelSchema, { bookingQuote: true });
  const PRO_RATA = 'quote.price * double((quote.policy_end_date - now).getSeconds()) / double((quote.policy_end_date - quote.policy_start_date).getSeconds())';
  // a 10-day policy, confirmed a month before it starts
  const booked: CelBookingQuote = {
    code: 'TRIP_CANCEL',
    price: 120,
    premium: 110,
    tax: 10,
    policy_start_date: new Date('2026-06-01T00:00:00Z'),
    policy_end_date: new Date('2026-06-11T00:00:00Z'),
    confirmed_at: new Date('2026-05-01T00:00:00Z'),
  };
  const at = (iso: string, quote: CelBookingQuote = booked): CelVars =>
    vars({ trip_cost: 1000, departure_date: '2026-06-01' }, { now: new Date(iso), bookingQuote: quote });

  it('declares quote as the booked quote, with the pricing variables typed from the schema', () => {
    expect(env.quoteKind).toBe('booking');
    expect(env.withQuote).toBe(false);
    expect(env.check(PRO_RATA, 'number')).toEqual({ ok: true, type: 'double' });
    expect(env.check('now < quote.policy_end_date', 'bool')).toEqual({ ok: true, type: 'bool' });
    expect(env.check("quote.code == 'TRIP_CANCEL' && quote.premium + quote.tax == quote.price", 'bool').ok).toBe(true);
    expect(env.check('quote.confirmed_at', 'timestamp').ok).toBe(true);
    expect(env.check('context.trip_cost > 500.0 ? quote.price * 0.5 : 0.0', 'number').ok).toBe(true);
    // the fields of the content quote are not those of the booked one
    expect(env.check('quote.price_formatted')).toEqual({ ok: false, message: expect.stringContaining('No such key: price_formatted') });
    expect(CelEnvironment.forSchema(travelSchema, { withQuote: true }).check('quote.confirmed_at').ok).toBe(false);
    // a type error is refused like anywhere else
    expect(env.check('quote.price * 2', 'number').ok).toBe(false);
    expect(env.check('quote.price', 'bool')).toEqual({ ok: false, message: 'must give a bool, but this expression gives double' });
  });

  it('names quote among the variables when one is unknown', () => {
    const r = env.check('booking.price');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain('the variables are customer, context, partner, now, quote');
  });

  it('is memoised per schema, apart from the plain and content environments', () => {
    expect(CelEnvironment.forSchema(travelSchema, { bookingQuote: true })).toBe(env);
    expect(env).not.toBe(CelEnvironment.forSchema(travelSchema));
    expect(env).not.toBe(CelEnvironment.forSchema(travelSchema, { withQuote: true }));
    expect(() => CelEnvironment.forSchema(travelSchema, { withQuote: true, bookingQuote: true })).toThrow(/not both/);
  });

  it('evaluates the pro-rata refund to the exact double', () => {
    // 4 days of 10 left: 120 × 345600 / 864000
    const fourDaysLeft = env.compile(PRO_RATA).evaluate(at('2026-06-07T00:00:00Z'));
    expect(fourDaysLeft).toBe(48);
    expect(typeof fourDaysLeft).toBe('number');
    // 7 days 6 hours left of 30, price 99.99: 99.99 × 626400 / 2592000
    const month: CelBookingQuote = { ...booked, price: 99.99, policy_end_date: new Date('2026-07-01T00:00:00Z') };
    expect(env.compile(PRO_RATA).evaluate(at('2026-06-23T18:00:00Z', month))).toBe(24.16425);
    expect(env.compile('now < quote.policy_end_date').evaluate(at('2026-06-07T00:00:00Z'))).toBe(true);
    expect(env.compile('now < quote.policy_end_date').evaluate(at('2026-06-12T00:00:00Z'))).toBe(false);
    expect(env.compile("now - quote.confirmed_at < duration('336h')").evaluate(at('2026-05-10T00:00:00Z'))).toBe(true);
  });

  it('evaluates the default rules', () => {
    const allowed = env.compile(CANCELLATION_DEFAULTS.allowed);
    const refund = env.compile(CANCELLATION_DEFAULTS.refund);
    const modify = env.compile(MODIFICATION_DEFAULTS.allowed);
    expect(env.check(CANCELLATION_DEFAULTS.allowed, 'bool').ok).toBe(true);
    expect(env.check(CANCELLATION_DEFAULTS.refund, 'number')).toEqual({ ok: true, type: 'double' });
    expect(env.check(MODIFICATION_DEFAULTS.allowed, 'bool').ok).toBe(true);
    // before the policy starts, while it runs, after it ended
    expect([allowed, refund, modify].map((c) => c.evaluate(at('2026-05-20T00:00:00Z')))).toEqual([true, 0, true]);
    expect([allowed, refund, modify].map((c) => c.evaluate(at('2026-06-05T00:00:00Z')))).toEqual([true, 0, false]);
    expect([allowed, refund, modify].map((c) => c.evaluate(at('2026-06-11T00:00:00Z')))).toEqual([false, 0, false]);
  });

  it('leaves policy_end_date absent for a quote without one: has() is false, reading it an evaluation error', () => {
    const { policy_end_date: _none, ...openEnded } = booked;
    const v = at('2026-06-07T00:00:00Z', openEnded);
    expect(env.compile('has(quote.policy_end_date)').evaluate(v)).toBe(false);
    expect(env.compile('has(quote.policy_start_date)').evaluate(v)).toBe(true);
    expect(env.compile('!has(quote.policy_end_date) || now < quote.policy_end_date').evaluate(v)).toBe(true);
    expect(() => env.compile(CANCELLATION_DEFAULTS.allowed).evaluate(v)).toThrow(ExpressionEvaluationError);
    expect(() => env.compile(PRO_RATA).evaluate(v)).toThrow(/policy_end_date/);
    // undefined is absent too
    expect(env.compile('has(quote.policy_end_date)').evaluate(at('2026-06-07T00:00:00Z', { ...booked, policy_end_date: undefined }))).toBe(false);
  });

  it('reads the booked quote only, and fails without one', () => {
    const quote = { ...booked };
    const v = at('2026-06-07T00:00:00Z', quote);
    expect(env.compile('quote.price').evaluate(v)).toBe(120);
    expect(quote).toEqual(booked); // not modified
    // a content quote given as `quote` is not what this environment reads
    expect(() => env.compile('quote.price').evaluate({ ...v, bookingQuote: undefined, quote: {} as CelQuote })).toThrow(ExpressionEvaluationError);
  });
});

describe('toCelInput', () => {
  it('copies the parts of a body and defaults absent ones', () => {
    const body = { customer: { country: 'AU' }, context: { trip_cost: 10, list: [{ a: 1 }] } };
    const input = toCelInput(body);
    expect({ ...(input.customer as object) }).toEqual({ country: 'AU' });
    expect(input.context).not.toBe(body.context);
    expect(input.partner).toEqual({});
  });

  it('makes hostile keys behave like any other key', () => {
    const schema = {
      properties: {
        context: {
          type: 'object',
          properties: { a: { type: 'number' }, toString: { type: 'string' }, constructor: { type: 'object', properties: { x: { type: 'number' } } } },
        },
      },
    };
    const env = CelEnvironment.forSchema(schema);
    const run = (expr: string, body: unknown): unknown => env.compile(expr).evaluate({ ...toCelInput(body), now });
    const hostile = JSON.parse('{"context":{"a":1,"constructor":{"x":2},"toString":"s","__proto__":{"a":9}}}') as unknown;
    expect(run('context.a', hostile)).toBe(1);
    expect(run('context.constructor.x', hostile)).toBe(2);
    expect(run('context.toString', hostile)).toBe('s');
    // absent fields named like Object.prototype members are absent, not functions
    expect(run('has(context.toString)', { context: { a: 1 } })).toBe(false);
    expect(run('has(context.constructor)', { context: { a: 1 } })).toBe(false);
  });
});
