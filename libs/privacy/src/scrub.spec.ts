import { ERASED } from './lookup-key';
import { KEPT_FIELDS, PERSONAL_FIELDS } from './personal-fields';
import { collectPersonalValues, eraseDocument, PersonalFieldMatcher, personalValuePattern } from './scrub';

const policyholder = {
  first_name: 'Ada',
  last_name: 'Lovelace',
  email: 'ada@example.com',
  phone: '+442071234567',
  birth_date: '1815-12-10',
  age: 36,
  country: 'GB',
  company: 'Analytical Engines Ltd',
  address1: '12 St James Square',
  address2: 'Flat 3',
  city: 'London',
  region: 'Greater London',
  postcode: 'SW1Y 4JH',
};

describe('the personal fields (data)', () => {
  it('names what the requests, confirm bodies and bookings hold about a person', () => {
    for (const f of [
      'first_name',
      'last_name',
      'email',
      'phone',
      'birth_date',
      'address1',
      'address2',
      'city',
      'postcode',
      'ip_address',
      'customer_id',
      'policyholder.region',
      'policyholder.company',
      'customer.name',
      'insured.name',
    ]) {
      expect(PERSONAL_FIELDS).toContain(f);
    }
    // what accounting and analytics add up stays
    for (const f of ['partner_transaction_id', 'id', 'status', 'code', 'currency']) expect(KEPT_FIELDS).toContain(f);
    for (const f of ['price', 'total_price', 'premium', 'country', 'currency', 'age', 'partner_transaction_id']) expect(PERSONAL_FIELDS).not.toContain(f);
  });

  it('has no empty or repeated path', () => {
    expect(new Set(PERSONAL_FIELDS).size).toBe(PERSONAL_FIELDS.length);
    expect(() => new PersonalFieldMatcher(PERSONAL_FIELDS)).not.toThrow();
    expect(() => new PersonalFieldMatcher(['a..b'])).toThrow(/empty name/);
  });

  it('matches a path by its end: a name anywhere, or a name inside a named object', () => {
    const m = new PersonalFieldMatcher(['email', 'customer.name', 'insured.name']);
    expect(m.matches(['email'])).toBe(true);
    expect(m.matches(['after', 'policyholder', 'email'])).toBe(true);
    expect(m.matches(['customer', 'name'])).toBe(true);
    expect(m.matches(['request', 'customer', 'name'])).toBe(true);
    expect(m.matches(['quotes', 'insured', 'name'])).toBe(true);
    expect(m.matches(['products', 'name'])).toBe(false);
    expect(m.matches(['name'])).toBe(false);
    expect(m.matches(['emails'])).toBe(false);
  });
});

describe('eraseDocument', () => {
  const values = (...docs: Array<[unknown, string[]?]>) => {
    const set = new Set<string>();
    for (const [d, root] of docs) collectPersonalValues(d, set, root ?? []);
    return personalValuePattern(set);
  };

  it("replaces a booking's personal fields, keeps country, age, amounts, ids, statuses and partner_transaction_id", () => {
    const booking = {
      id: 'AAAAA-BBBBB-INS',
      status: 'CONFIRMED',
      offer_id: '0190a0a0-0000-7000-8000-0000000000aa',
      total_price: 123.75,
      total_price_formatted: '$123.75',
      partner_transaction_id: 'BOOKING-1001',
      created_at: '2026-11-25T19:33:56.329+00:00',
      policyholder,
      quotes: [
        {
          id: 'q1',
          code: 'TRAVEL_CANCEL',
          name: 'Trip cancellation',
          price: 123.75,
          policy_start_date: '2027-02-01T00:00:00+00:00',
          insured: [{ first_name: 'Charles', last_name: 'Babbage', birth_date: '1791-12-26', age: 35, email: null }],
        },
      ],
    };
    const out = eraseDocument(booking, { values: values([booking]) }) as typeof booking;
    expect(out.policyholder).toEqual({
      first_name: ERASED,
      last_name: ERASED,
      email: ERASED,
      phone: ERASED,
      birth_date: ERASED,
      age: 36,
      country: 'GB',
      company: ERASED,
      address1: ERASED,
      address2: ERASED,
      city: ERASED,
      region: ERASED,
      postcode: ERASED,
    });
    expect(out.quotes[0].insured).toEqual([{ first_name: ERASED, last_name: ERASED, birth_date: ERASED, age: 35, email: null }]);
    const { policyholder: _p, quotes: _q, ...kept } = out;
    const { policyholder: _p2, quotes: _q2, ...original } = booking;
    expect(kept).toEqual(original);
    expect(out.quotes[0]).toMatchObject({
      id: 'q1',
      code: 'TRAVEL_CANCEL',
      name: 'Trip cancellation',
      price: 123.75,
      policy_start_date: '2027-02-01T00:00:00+00:00',
    });
    // the input is not changed
    expect(booking.policyholder.first_name).toBe('Ada');
  });

  it("erases a create-offer request's customer, customer id and travellers, keeps its pricing inputs", () => {
    const request = {
      schema: 'travel:v1',
      customer: {
        language: 'en',
        currency: 'AUD',
        country: 'AU',
        region: 'NSW',
        email: 'Ada@Example.com',
        ip_address: '203.0.113.7',
        postcode: '2000',
        name: 'Ada L.',
      },
      context: { trip_cost: 2500, travellers: [{ first_name: 'Ada', name: 'Ada Lovelace', age: 36 }], traveller_ages: [36, 35] },
      partner: { transaction_id: 'BOOKING-1001', customer_id: 'cust-42', metadata: { note: 'VIP: cust-42, call ada@example.com' } },
    };
    const out = eraseDocument(request, { values: values([request]) }) as typeof request;
    expect(out.customer).toEqual({
      language: 'en',
      currency: 'AUD',
      country: 'AU',
      region: 'NSW',
      email: ERASED,
      ip_address: ERASED,
      postcode: ERASED,
      name: ERASED,
    });
    expect(out.context).toEqual({ trip_cost: 2500, travellers: [{ first_name: ERASED, name: ERASED, age: 36 }], traveller_ages: [36, 35] });
    expect(out.partner).toEqual({ transaction_id: 'BOOKING-1001', customer_id: ERASED, metadata: { note: `VIP: ${ERASED}, call ${ERASED}` } });
  });

  it('blanks the values out of other text, whole words only, any case, not in kept fields', () => {
    const pattern = personalValuePattern(['Ada', 'ada@example.com', '2000', '1815-12-10']);
    const response = {
      id: 'offer-1',
      partner_transaction_id: 'ADA',
      content: { title: 'Protect your trip, ada!', description: 'Cover in Canada for ADA@EXAMPLE.COM', benefits: ['Up to $2000 if you cancel'] },
      products: [{ name: 'Ada cover', total_amount_formatted: '$2000' }],
    };
    expect(eraseDocument(response, { values: pattern })).toEqual({
      id: 'offer-1',
      partner_transaction_id: 'ADA',
      // a postcode of digits or a date is not looked for inside text (it is erased where it is a field)
      content: { title: `Protect your trip, ${ERASED}!`, description: `Cover in Canada for ${ERASED}`, benefits: ['Up to $2000 if you cancel'] },
      products: [{ name: 'Ada cover', total_amount_formatted: '$2000' }],
    });
  });

  it('removes a personal field instead where asked (a format that refuses the text); null stays null', () => {
    const out = eraseDocument(
      { customer: { email: 'a@b.c', phone: null, first_name: 'Ada' } },
      { values: null, removeField: (path) => path.join('.') === 'customer.email' },
    );
    expect(out).toEqual({ customer: { phone: null, first_name: ERASED } });
  });

  it('erases a whole object held by a personal field, and reads a column by the name it sits under', () => {
    const set = new Set<string>();
    collectPersonalValues([{ name: 'Charles Babbage', address: { line1: '1 Dorset St' } }], set, ['insured']);
    expect([...set].sort()).toEqual(['1 Dorset St', 'Charles Babbage']);
    expect(eraseDocument([{ name: 'Charles Babbage', address: { line1: '1 Dorset St' } }], { values: null, root: ['insured'] })).toEqual([
      { name: ERASED, address: ERASED },
    ]);
    expect(eraseDocument([{ name: 'Charles Babbage' }], { values: null })).toEqual([{ name: 'Charles Babbage' }]);
  });

  it('has no pattern when no value is distinctive (too short, digits only, dates, a long free text)', () => {
    expect(personalValuePattern(['Al', '2000', '1815-12-10', ERASED, 'x'.repeat(201)])).toBeNull();
    expect(personalValuePattern(['+442071234567'])?.test('call +442071234567 now')).toBe(true);
  });

  it('looks for many values at once, and a failure shows none of them', () => {
    const many = Array.from({ length: 1000 }, (_, i) => `Person${i} Name${i}`);
    const values = personalValuePattern(many);
    expect(values?.blank('hello Person999 Name999 and Person0 Name0.')).toBe(`hello ${ERASED} and ${ERASED}.`);
    const broken = Object.create(values) as { blank(s: string): string; patterns: RegExp[] };
    Object.defineProperty(broken, 'patterns', {
      value: [
        {
          [Symbol.replace]: () => {
            throw new Error('Person1 Name1 broke it');
          },
        },
      ],
    });
    expect(() => broken.blank('x')).toThrow('the personal values could not be looked for in a text');
    try {
      broken.blank('x');
    } catch (e) {
      expect(String((e as Error).message)).not.toContain('Person1');
    }
  });
});
