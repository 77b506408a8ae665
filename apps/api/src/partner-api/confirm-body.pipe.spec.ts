import { DomainError } from '@app/core';
import { ConfirmBodyPipe } from './confirm-body.pipe';
import { ConfirmOfferDto } from './dto/confirm.dto';

const pipe = new ConfirmBodyPipe();
const valid = {
  quotes: [{ id: 'q1', insured: [{ first_name: 'A', last_name: 'B' }] }],
  policyholder: { first_name: 'Ada', last_name: 'Lovelace', country: 'GB' },
};

function errorsOf(body: unknown): Record<string, string[]> {
  try {
    pipe.transform(body);
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    expect((e as DomainError).code).toBe('booking_validation_error');
    return (e as DomainError).errors ?? {};
  }
  throw new Error('expected a validation error');
}

describe('ConfirmBodyPipe', () => {
  it('returns the validated DTO', () => {
    const dto = pipe.transform(valid);
    expect(dto).toBeInstanceOf(ConfirmOfferDto);
    expect(JSON.parse(JSON.stringify(dto))).toEqual(valid);
  });

  it('reports errors by JSON pointer, nested through arrays', () => {
    const errors = errorsOf({
      quotes: [{ id: 'q1', insured: [{ first_name: 'A' }] }, { id: 'q1' }],
      policyholder: { first_name: 'Ada', last_name: 'L', country: 'gbr', email: 'x', phone: '12345' },
    });
    expect(Object.keys(errors).sort()).toEqual([
      '/policyholder/country',
      '/policyholder/email',
      '/policyholder/phone',
      '/quotes',
      '/quotes/0/insured/0/last_name',
    ]);
  });

  it('accepts E.164 phones and valid emails, refuses unknown fields', () => {
    expect(() => pipe.transform({ ...valid, policyholder: { ...valid.policyholder, phone: '+61412345678', email: 'a@b.co' } })).not.toThrow();
    expect(Object.keys(errorsOf({ ...valid, policyholder: { ...valid.policyholder, nickname: 'x' } }))).toEqual(['/policyholder/nickname']);
  });

  it('refuses fields named constructor or __proto__ like any unknown field, wherever they are, and never throws anything else', () => {
    const body = JSON.parse(
      JSON.stringify({
        quotes: [{ id: 'q1', constructor: { prototype: { polluted: true } }, insured: [{ first_name: { constructor: 'x' }, last_name: 'B' }] }],
        policyholder: { ...valid.policyholder, constructor: [] },
      }).replace('"quotes"', '"__proto__":{"quotes":1},"quotes"'),
    ) as unknown;
    expect(errorsOf(body)).toEqual({
      '/__proto__': ['property __proto__ should not exist'],
      '/quotes/0/constructor': ['property constructor should not exist'],
      '/quotes/0/insured/0/first_name': expect.arrayContaining(['first_name must be a string']),
      '/quotes/0/insured/0/first_name/constructor': ['property constructor should not exist'],
      '/policyholder/constructor': ['property constructor should not exist'],
    });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('a JSON pointer escapes / and ~ in the names on the way to a refused key', () => {
    const body = { ...valid, policyholder: { ...valid.policyholder, company: { 'a/b~c': { constructor: 1 } } } };
    expect(errorsOf(body)['/policyholder/company/a~1b~0c/constructor']).toEqual(['property constructor should not exist']);
  });

  it('an email holding a lone surrogate is not an email (422, where validator.js threw), one with whole characters is judged as usual', () => {
    const policyholderEmail = (email: string) => ({ ...valid, policyholder: { ...valid.policyholder, email } });
    // what JSON.parse makes of "\ud800" escapes
    for (const email of ['\ud800@example.com', 'a\udc00@example.com', 'ada@exa\ud800mple.com']) {
      expect(errorsOf(policyholderEmail(email))).toEqual({ '/policyholder/email': ['email must be an email'] });
    }
    expect(errorsOf({ ...valid, quotes: [{ id: 'q1', insured: [{ first_name: 'A', last_name: 'B', email: 'x\ud800@example.com' }] }] })).toEqual({
      '/quotes/0/insured/0/email': ['email must be an email'],
    });
    expect(() => pipe.transform(policyholderEmail('josé@example.com'))).not.toThrow();
    expect(errorsOf(policyholderEmail('not an email'))).toEqual({ '/policyholder/email': ['email must be an email'] });
  });

  it('refuses a body that is not an object', () => {
    expect(errorsOf('x')).toEqual({ '': ['must be a JSON object'] });
    expect(errorsOf(null)).toEqual({ '': ['must be a JSON object'] });
  });
});
