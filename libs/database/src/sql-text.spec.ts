import { packingDictionary } from '@app/core';
import { packedJsonPairParams, readJsonPair } from './sql-text';

const request = JSON.stringify({ customer: { email: 'ada@example.com', first_name: 'Ada' }, context: { trip_cost: 1200 } });
const response = JSON.stringify({ id: 'offer-1', currency: 'EUR', products: [{ code: 'TRIP', name: 'Trip cancellation', price: 1250 }] });

describe('packedJsonPairParams and readJsonPair', () => {
  it('on PostgreSQL: the two JSON texts, each in its column', () => {
    expect(packedJsonPairParams('postgres', request, response, packingDictionary(response))).toEqual([request, response]);
    expect(readJsonPair(request, response)).toEqual([JSON.parse(request), JSON.parse(response)]);
  });

  it('on SQLite with a dictionary: both in the second column, packed together; a marker in the first', () => {
    const [first, second] = packedJsonPairParams('sqlite', request, response, packingDictionary(response));
    expect([...(first as Buffer)]).toEqual([0x04]);
    expect((second as Buffer)[0]).toBe(0x05);
    expect(readJsonPair(first, second)).toEqual([JSON.parse(request), JSON.parse(response)]);
    // the marker without its pair is refused, not read as nothing
    expect(() => readJsonPair(first, response)).toThrow(/without its pair/);
  });

  it('on SQLite without a dictionary: each packed alone (the first offer of a configuration)', () => {
    const [first, second] = packedJsonPairParams('sqlite', request, response);
    expect([(first as Buffer)[0], (second as Buffer)[0]]).toEqual([0x01, 0x01]);
    expect(readJsonPair(first, second)).toEqual([JSON.parse(request), JSON.parse(response)]);
  });

  it('reads columns written one by one, and NULLs', () => {
    expect(readJsonPair(null, response)).toEqual([null, JSON.parse(response)]);
  });
});
