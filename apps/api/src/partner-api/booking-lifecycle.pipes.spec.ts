import { DomainError } from '@app/core';
import { CancelBodyPipe, IgnoredBodyPipe, QuoteForUpdateBodyPipe, UpdateBodyPipe } from './booking-lifecycle.pipes';

interface Pipe {
  transform(value: unknown): unknown;
}

function errorsOf(pipe: Pipe, body: unknown): Record<string, string[]> {
  try {
    pipe.transform(body);
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    expect((e as DomainError).code).toBe('booking_validation_error');
    expect((e as DomainError).kind).toBe('invalid');
    return (e as DomainError).errors ?? {};
  }
  throw new Error(`expected a validation error for ${JSON.stringify(body)}`);
}

const paths = (pipe: Pipe, body: unknown): string[] => Object.keys(errorsOf(pipe, body)).sort();

/** a parsed JSON text (so that `__proto__` is an own key, as the body parser makes it) */
const json = (text: string): unknown => JSON.parse(text) as unknown;

describe('CancelBodyPipe', () => {
  const pipe = new CancelBodyPipe();

  it('takes no body, null and {} as "cancel every quote now"', () => {
    for (const body of [undefined, null, {}]) expect(pipe.transform(body)).toEqual({});
  });

  it('hands on exactly the fields sent, as plain objects', () => {
    const out = pipe.transform({ preview: true, quotes: [{ id: 'q1' }, { id: 'q2' }], cancellation_reason: 'changed plans' });
    expect(out).toEqual({ preview: true, quotes: [{ id: 'q1' }, { id: 'q2' }], cancellation_reason: 'changed plans' });
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(pipe.transform({ preview: false }))).toEqual(['preview']);
    // a reason sent as null is no reason
    expect(pipe.transform({ cancellation_reason: null })).toEqual({});
  });

  it.each([
    [{ preview: 'yes' }, ['/preview']],
    [{ preview: null }, ['/preview']],
    [{ quotes: [] }, ['/quotes']],
    [{ quotes: null }, ['/quotes']],
    [{ quotes: {} }, ['/quotes', '/quotes/id']],
    [{ quotes: [{ id: 'q1' }, { id: 'q1' }] }, ['/quotes']],
    [{ quotes: [{}] }, ['/quotes/0/id']],
    [{ quotes: [{ id: '' }, { id: 7 }] }, ['/quotes/0/id', '/quotes/1/id']],
    [{ quotes: [{ id: 'q1', insured: [] }] }, ['/quotes/0/insured']],
    [{ cancellation_reason: 'x'.repeat(501) }, ['/cancellation_reason']],
    [{ cancellation_reason: 5 }, ['/cancellation_reason']],
    [{ reason: 'x' }, ['/reason']],
  ])('%j → 422 at %j', (body, expected) => {
    expect(paths(pipe, body)).toEqual(expected);
  });

  it('refuses __proto__ and constructor keys like any unknown field, and a body that is not an object', () => {
    expect(errorsOf(pipe, json('{"__proto__":{"preview":true},"quotes":[{"id":"q1","constructor":{"prototype":{"x":1}}}]}'))).toEqual({
      '/__proto__': ['property __proto__ should not exist'],
      '/quotes/0/constructor': ['property constructor should not exist'],
    });
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    expect(errorsOf(pipe, [])).toEqual({ '': ['must be a JSON object'] });
    expect(errorsOf(pipe, 'cancel')).toEqual({ '': ['must be a JSON object'] });
  });
});

describe('UpdateBodyPipe', () => {
  const pipe = new UpdateBodyPipe();

  it('takes no body or null as no change', () => {
    for (const body of [undefined, null, {}]) expect(pipe.transform(body)).toEqual({});
  });

  it('a partial policyholder: only the fields sent (never the others as undefined), none required', () => {
    const out = pipe.transform({ policyholder: { phone: '+61412345678' } });
    expect(out).toEqual({ policyholder: { phone: '+61412345678' } });
    expect(Object.keys(out.policyholder ?? {})).toEqual(['phone']);
    expect(pipe.transform({ policyholder: {} })).toEqual({ policyholder: {} });
    // an optional field sent as null (allowed on Confirm Offer) is not a change
    expect(pipe.transform({ policyholder: { email: null, city: 'Sydney' } })).toEqual({ policyholder: { city: 'Sydney' } });
  });

  it('insured people per quote, each checked as on Confirm Offer', () => {
    const body = { quotes: [{ id: 'q1', insured: [{ first_name: 'Ada', last_name: 'Lovelace', age: 36 }] }, { id: 'q2' }] };
    expect(pipe.transform(body)).toEqual(body);
    expect(paths(pipe, { quotes: [{ id: 'q1', insured: [{ first_name: 'Ada' }] }] })).toEqual(['/quotes/0/insured/0/last_name']);
    expect(paths(pipe, { quotes: [{ id: 'q1' }, { id: 'q1' }] })).toEqual(['/quotes']);
    expect(paths(pipe, { quotes: [] })).toEqual(['/quotes']);
  });

  it.each([
    [{ policyholder: { email: 'not an email' } }, ['/policyholder/email']],
    [{ policyholder: { phone: '0412 345 678' } }, ['/policyholder/phone']],
    [{ policyholder: { country: 'gbr' } }, ['/policyholder/country']],
    // fields required on Confirm Offer may be left out, never emptied
    [{ policyholder: { first_name: null } }, ['/policyholder/first_name']],
    [{ policyholder: { last_name: '' } }, ['/policyholder/last_name']],
    [{ policyholder: { country: null } }, ['/policyholder/country']],
    [{ policyholder: { birth_date: '1815-13-10x' } }, ['/policyholder/birth_date']],
    [{ policyholder: { nickname: 'x' } }, ['/policyholder/nickname']],
    [{ policyholder: null }, ['/policyholder']],
    [{ policyholder: 'Ada' }, ['/policyholder']],
    [{ partner_transaction_id: 'T-2' }, ['/partner_transaction_id']],
  ])('%j → 422 at %j', (body, expected) => {
    expect(paths(pipe, body)).toEqual(expected);
  });

  it('refuses constructor keys inside the policyholder', () => {
    expect(errorsOf(pipe, json('{"policyholder":{"constructor":"x","city":"Paris"}}'))).toEqual({
      '/policyholder/constructor': ['property constructor should not exist'],
    });
  });
});

describe('QuoteForUpdateBodyPipe', () => {
  const pipe = new QuoteForUpdateBodyPipe();

  it('hands on the quotes with their update_fields as sent, and a partial policyholder', () => {
    const body = { quotes: [{ id: 'q1', update_fields: { trip_cost: 2400, travellers: [{ age: 30 }] } }], policyholder: { city: 'Sydney' } };
    expect(pipe.transform(body)).toEqual(body);
    expect(pipe.transform({ quotes: [{ id: 'q1', update_fields: {} }] })).toEqual({ quotes: [{ id: 'q1', update_fields: {} }] });
  });

  it.each([
    [undefined, ['/quotes']],
    [null, ['/quotes']],
    [{}, ['/quotes']],
    [{ quotes: [] }, ['/quotes']],
    [{ quotes: [{ id: 'q1' }] }, ['/quotes/0/update_fields']],
    [{ quotes: [{ id: 'q1', update_fields: [] }] }, ['/quotes/0/update_fields']],
    [{ quotes: [{ id: 'q1', update_fields: 'x' }] }, ['/quotes/0/update_fields']],
    [{ quotes: [{ update_fields: {} }] }, ['/quotes/0/id']],
    [
      {
        quotes: [
          { id: 'q1', update_fields: {} },
          { id: 'q1', update_fields: {} },
        ],
      },
      ['/quotes'],
    ],
    [{ quotes: [{ id: 'q1', update_fields: {}, insured: [] }] }, ['/quotes/0/insured']],
    [{ quotes: [{ id: 'q1', update_fields: {} }], policyholder: { email: 'x' } }, ['/policyholder/email']],
  ])('%j → 422 at %j', (body, expected) => {
    expect(paths(pipe, body)).toEqual(expected);
  });

  it('refuses __proto__ keys even inside update_fields', () => {
    expect(errorsOf(pipe, json('{"quotes":[{"id":"q1","update_fields":{"__proto__":{"x":1},"trip_cost":1}}]}'))).toEqual({
      '/quotes/0/update_fields/__proto__': ['property __proto__ should not exist'],
    });
  });
});

describe('IgnoredBodyPipe', () => {
  const pipe = new IgnoredBodyPipe();

  it('accepts no body, null and any object', () => {
    for (const body of [undefined, null, {}, { reason: 'x' }]) expect(() => pipe.transform(body)).not.toThrow();
  });

  it('refuses anything else', () => {
    for (const body of [[], [{}], 'x', 3, true]) expect(errorsOf(pipe, body)).toEqual({ '': ['must be a JSON object'] });
  });
});
