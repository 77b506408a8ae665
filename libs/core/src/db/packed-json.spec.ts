import { randomBytes } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import { isFirstOfPair, PackedJsonError, packJson, packJsonPair, packingDictionary, parseStoredJson, unpackJson, unpackJsonPair } from './packed-json';
import { packingDictionaryText } from './packing-dictionary';

const offer = (n: number) =>
  JSON.stringify({
    id: `offer-${n}`,
    currency: 'EUR',
    products: [{ code: 'TRAVEL_CANCEL', name: 'Trip cancellation', description: 'Get your money back if you have to cancel.', price: 1000 + n }],
  });

describe('packed JSON', () => {
  it('packs plainly (format 1) and reads back the same text', () => {
    const packed = packJson(offer(1));
    expect(packed[0]).toBe(0x01);
    expect(unpackJson(packed)).toBe(offer(1));
    expect(parseStoredJson(packed)).toEqual(JSON.parse(offer(1)));
    expect(parseStoredJson(offer(1))).toEqual(JSON.parse(offer(1)));
  });

  it('against a dictionary (format 2): names it by id, is smaller, and reads back the same text', () => {
    const dictionary = packingDictionary(offer(0));
    expect(dictionary.id).toMatch(/^[0-9a-f]{16}$/);
    const packed = packJson(offer(2), dictionary);
    expect(packed[0]).toBe(0x02);
    expect(packed.subarray(1, 9).toString('hex')).toBe(dictionary.id);
    expect(packed.length).toBeLessThan(packJson(offer(2)).length / 2);
    expect(unpackJson(packed)).toBe(offer(2));
    // a Uint8Array view into a larger buffer, as a driver may hand it
    const inside = Buffer.concat([Buffer.from('xx'), packed]);
    expect(unpackJson(new Uint8Array(inside.buffer, inside.byteOffset + 2, packed.length))).toBe(offer(2));
  });

  it('a pair (format 5): two texts packed together in one zstd frame, the first column holding a marker (format 4)', () => {
    const dictionary = packingDictionary(offer(0));
    // multi-byte characters: the first text's length is counted in bytes
    const request = JSON.stringify({ customer: { first_name: 'Zoë', city: '東京' }, context: { trip_cost: 1200 } });
    const { first, pair } = packJsonPair(request, offer(4), dictionary);
    expect([...first]).toEqual([0x04]);
    expect(isFirstOfPair(first)).toBe(true);
    expect(isFirstOfPair(pair)).toBe(false);
    expect(isFirstOfPair(Buffer.of(0x04, 0))).toBe(false);
    expect(isFirstOfPair('\u0004')).toBe(false);
    expect(pair[0]).toBe(0x05);
    expect(pair.subarray(1, 9).toString('hex')).toBe(dictionary.id);
    expect(pair.readUInt32BE(9)).toBe(Buffer.byteLength(request, 'utf8'));
    expect(unpackJsonPair(pair)).toEqual([request, offer(4)]);
    // read alone, the pair is its second text (the column it is stored in); the marker is not a document
    expect(unpackJson(pair)).toBe(offer(4));
    expect(parseStoredJson(pair)).toEqual(JSON.parse(offer(4)));
    expect(() => unpackJson(first)).toThrow(PackedJsonError);
    // the response repeats the dictionary: much smaller than the texts
    expect(pair.length).toBeLessThan((Buffer.byteLength(request, 'utf8') + offer(4).length) / 2);
    // a view into a larger buffer
    const inside = Buffer.concat([Buffer.from('xyz'), pair]);
    expect(unpackJsonPair(new Uint8Array(inside.buffer, inside.byteOffset + 3, pair.length))).toEqual([request, offer(4)]);
  });

  it('reads a pair of the deflate format (3) that earlier versions wrote', () => {
    const dictionary = packingDictionary(offer(0));
    const request = JSON.stringify({ customer: { first_name: 'Zoë' } });
    const stream = deflateRawSync(Buffer.from(request + offer(6), 'utf8'), { windowBits: 13, dictionary: dictionary.bytes });
    const header = Buffer.alloc(13);
    header[0] = 0x03;
    header.write(dictionary.id, 1, 8, 'hex');
    header.writeUInt32BE(Buffer.byteLength(request, 'utf8'), 9);
    const pair = Buffer.concat([header, stream]);
    expect(unpackJsonPair(pair)).toEqual([request, offer(6)]);
    expect(unpackJson(pair)).toBe(offer(6));
  });

  it('packs against more dictionaries than a thread keeps prepared, and reads each back', () => {
    const dictionaries = Array.from({ length: 130 }, (_, i) => packingDictionary(offer(1000 + i)));
    const pairs = dictionaries.map((d, i) => packJsonPair(`{"n":${i}}`, offer(i), d).pair);
    // the first dictionaries were dropped from the prepared ones by the last: prepared again
    expect(unpackJsonPair(packJsonPair('{"n":0}', offer(0), dictionaries[0]).pair)).toEqual(['{"n":0}', offer(0)]);
    pairs.forEach((pair, i) => expect(unpackJsonPair(pair)).toEqual([`{"n":${i}}`, offer(i)]));
  });

  it('packs a pair larger than the buffers it started with', () => {
    const dictionary = packingDictionary(offer(0));
    const large = JSON.stringify({ items: Array.from({ length: 20_000 }, (_, i) => ({ i, name: `item ${i} ✓` })) });
    expect(unpackJsonPair(packJsonPair(large, offer(7), dictionary).pair)).toEqual([large, offer(7)]);
    expect(unpackJsonPair(packJsonPair('{}', large, dictionary).pair)).toEqual(['{}', large]);
  });

  it('refuses a pair it cannot read, with PackedJsonError', () => {
    const { pair } = packJsonPair('{"a":1}', offer(5), { id: randomBytes(8).toString('hex'), bytes: Buffer.from(offer(0)) });
    expect(() => unpackJsonPair(pair)).toThrow(/packing dictionary [0-9a-f]{16} is not loaded/);
    expect(() => unpackJsonPair(packJson(offer(5)))).toThrow(PackedJsonError);
    expect(() => unpackJsonPair(Buffer.from([0x03, 1, 2]))).toThrow(PackedJsonError);
    const known = packJsonPair('{"a":1}', offer(5), packingDictionary(offer(0))).pair;
    const longer = Buffer.from(known);
    longer.writeUInt32BE(1_000_000, 9);
    expect(() => unpackJsonPair(longer)).toThrow(/longer than both/);
    // a damaged frame
    const damaged = Buffer.from(known);
    damaged.fill(0xff, 13, 20);
    expect(() => unpackJsonPair(damaged)).toThrow(PackedJsonError);
    expect(() => unpackJsonPair(damaged)).toThrow(/corrupt packed JSON/);
  });

  it('an id is the content: the same text gives the same dictionary', () => {
    expect(packingDictionary('{"a":1}').id).toBe(packingDictionary('{"a":1}').id);
    expect(packingDictionary('{"a":1}').id).not.toBe(packingDictionary('{"a":2}').id);
  });

  it('refuses what it cannot read, with PackedJsonError', () => {
    const unknown = packJson(offer(3), { id: randomBytes(8).toString('hex'), bytes: Buffer.from(offer(0)) });
    expect(() => unpackJson(unknown)).toThrow(PackedJsonError);
    expect(() => unpackJson(unknown)).toThrow(/packing dictionary [0-9a-f]{16} is not loaded/);
    expect(() => unpackJson(Buffer.from([0x07, 1, 2]))).toThrow(/unknown packed JSON format 7/);
    expect(() => unpackJson(Buffer.alloc(0))).toThrow(/\(empty\)/);
    expect(() => unpackJson(Buffer.from([0x02, 1, 2]))).toThrow(PackedJsonError);
  });
});

describe('packingDictionaryText', () => {
  const request = {
    schema: 'travel:v1',
    customer: { email: 'Ada.Lovelace@Example.com', first_name: 'Ada', country: 'JP', phone: 447700900123 },
    context: { travellers: 2, refundable: false, note: null },
    partner: { customer_id: 'cust-1815' },
  };
  // a key named __proto__ (as JSON.parse gives it: an own key) stays a key
  const requestJson = JSON.stringify(request).replace('"partner":{', '"partner":{"__proto__":"a key like any other",');
  const response = {
    id: 'offer-1',
    offer_config_id: 'travel-cover',
    partner_transaction_id: 'cust-1815-booking',
    content: {
      title: 'Protect your trip to JP',
      greeting: 'Dear ADA,',
      contact: 'We will write to ada.lovelace@example.com',
      phone: 'Call 447700900123',
      description: 'Get your money back if you have to cancel.',
      header: 'Adaptable cover for any traveller',
      travellers: 'Cover for 2 traveller(s)',
    },
    products: [{ code: 'TRAVEL_CANCEL', name: 'Trip cancellation', price: 12.5 }],
  };
  const text = packingDictionaryText(requestJson, JSON.stringify(response));

  it('keeps the request as its shape only: every key, no value', () => {
    const shape = JSON.parse(text.slice(0, text.indexOf('}{') + 1).replace('"__proto__":"",', '')) as unknown;
    expect(shape).toEqual({
      schema: '',
      customer: { email: '', first_name: '', country: '', phone: 0 },
      context: { travellers: 0, refundable: false, note: null },
      partner: { customer_id: '' },
    });
    expect(text).toContain('"partner":{"__proto__":"","customer_id":""}');
  });

  it('leaves out every string of the response that holds a value of the request, in any case; keeps the rest', () => {
    const lower = text.toLowerCase();
    for (const value of ['ada.lovelace@example.com', 'cust-1815', '447700900123', 'dear ada', 'trip to jp']) expect(lower).not.toContain(value);
    // a short value only as a whole word: "Adaptable" is not "Ada"; "2 traveller(s)" holds the number 2
    expect(text).toContain('Adaptable cover for any traveller');
    expect(text).not.toContain('Cover for 2 traveller(s)');
    for (const kept of ['Get your money back if you have to cancel.', 'Trip cancellation', 'TRAVEL_CANCEL', 'travel-cover', '"price":12.5'])
      expect(text).toContain(kept);
  });

  it('is the same text for the same inputs', () => {
    expect(packingDictionaryText(requestJson, JSON.stringify(response))).toBe(text);
  });
});
