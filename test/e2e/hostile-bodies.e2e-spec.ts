import { once } from 'node:events';
import { createServer, request as httpRequest, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import request from 'supertest';
import { ADMIN_MAX_JSON_DEPTH, PARTNER_MAX_JSON_DEPTH } from '../../apps/api/src/common/json-body';
import { startTestApp, TestApp } from '../support/app';
import { ADMIN, confirmBody, confirmPath, createOffer, dbQuery, offerRequest, quoteId, setupShop } from '../support/booking-fixtures';

/** one request written as given (method, headers, body bytes), on a connection of its own */
async function rawRequest(
  t: TestApp,
  method: string,
  path: string,
  headers: Record<string, string>,
  body: string | Buffer,
): Promise<{ status: number; body: string }> {
  // a server of its own around the app's handler: the app's own server stays supertest's
  const server = createServer(t.app.getHttpAdapter().getInstance() as RequestListener).listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const { port } = server.address() as AddressInfo;
    return await new Promise((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, method, path, headers: { ...headers, 'Content-Length': Buffer.byteLength(body) } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      req.on('error', reject);
      req.end(body);
    });
  } finally {
    server.close();
  }
}

/** `depth` arrays inside each other, as JSON text: [[[…]]] */
const nestedArrays = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`;

/** the offer request with `context` replaced by JSON text (the text is spliced in, never parsed here) */
const offerWithContext = (contextJson: string): string => JSON.stringify(offerRequest()).replace(/"context":\{[^}]*\}/, `"context":${contextJson}`);

describe('Bodies a route never reads, and JSON nested too deep (e2e)', () => {
  let t: TestApp;
  let key: string;

  beforeAll(async () => {
    t = await startTestApp();
    key = await setupShop(t, 'HOSTILE');
  });
  afterAll(async () => t.close());

  const countRows = async (table: string): Promise<number> => Number((await dbQuery<{ n: number }>(t, `SELECT COUNT(*) AS n FROM ${table}`))[0].n);

  describe('GET, HEAD and DELETE ignore a body, as XCover clients send one (Content-Type: application/json, body null)', () => {
    let bookingId: string;
    let offerId: string;
    beforeAll(async () => {
      const offer = await createOffer(t, 'HOSTILE', key);
      offerId = offer.id;
      const booked = await request(t.http)
        .post(confirmPath('HOSTILE', offer.id))
        .set('X-Api-Key', key)
        .send(confirmBody([quoteId(offer, 'PROTECT')]))
        .expect(200);
      bookingId = booked.body.id as string;
    });

    const bodies: Array<[string, string, string | undefined]> = [
      ['null with a JSON type', 'null', 'application/json'],
      ['an empty JSON object', '{}', 'application/json'],
      ['text that is not JSON, with a JSON type', '{"unterminated', 'application/json'],
      ['text with another type', 'hello', 'text/plain'],
      ['bytes with no type', 'null', undefined],
    ];

    it.each(bodies)('partner reads answer 200 with %s, under both prefixes', async (_name, body, type) => {
      for (const prefix of ['/x', '/xcover']) {
        for (const path of [
          `${prefix}/partners/HOSTILE/bookings/${bookingId}/`,
          `${prefix}/partners/HOSTILE/offers/${offerId}`,
          `${prefix}/partners/HOSTILE/schemas`,
        ]) {
          const req = request(t.http).get(path).set('X-Api-Key', key);
          if (type) req.set('Content-Type', type);
          const res = await req.send(body);
          expect({ path, status: res.status }).toEqual({ path, status: 200 });
        }
      }
      const booking = await request(t.http)
        .get(`/x/partners/HOSTILE/bookings/${bookingId}`)
        .set('X-Api-Key', key)
        .set('Content-Type', 'application/json')
        .send('null');
      expect(booking.body).toMatchObject({ id: bookingId, status: 'CONFIRMED' });
    });

    it.each(bodies)('admin reads answer 200 with %s', async (_name, body, type) => {
      for (const path of ['/admin/partners/HOSTILE', '/admin/partners/HOSTILE/bundle', '/admin/partners/HOSTILE/api-keys', '/admin/audit']) {
        const req = request(t.http).get(path).set(ADMIN);
        if (type) req.set('Content-Type', type);
        const res = await req.send(body);
        expect({ path, status: res.status }).toEqual({ path, status: 200 });
      }
    });

    it('HEAD answers like GET without a body, and DELETE ignores a JSON null body', async () => {
      // (supertest sends no body with HEAD: the request is written by hand)
      const head = await rawRequest(t, 'HEAD', `/x/partners/HOSTILE/bookings/${bookingId}`, { 'X-Api-Key': key, 'Content-Type': 'application/json' }, 'null');
      expect(head).toEqual({ status: 200, body: '' });
      const created = await request(t.http).post('/admin/partners/HOSTILE/api-keys').set(ADMIN).send({ mode: 'test', name: 'to revoke' }).expect(201);
      await request(t.http)
        .delete(`/admin/partners/HOSTILE/api-keys/${created.body.id}`)
        .set(ADMIN)
        .set('Content-Type', 'application/json')
        .send('null')
        .expect(204);
      const keys = await request(t.http).get('/admin/partners/HOSTILE/api-keys').set(ADMIN).expect(200);
      expect(keys.body.items.find((k: { id: string }) => k.id === created.body.id)).toMatchObject({ revoked_at: expect.any(String) });
    });
  });

  describe('JSON nested deeper than the limit is a 400 before any route code, never a 500', () => {
    const expectTooDeep = (res: request.Response, limit: number) => {
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ type: 'validation_error', code: 'malformed_request', message: expect.stringContaining(`${limit} levels`) });
    };

    it('Create Offer with a context of 5 000 nested arrays: 400, nothing stored', async () => {
      const before = await countRows('offers');
      for (const prefix of ['/x', '/xcover']) {
        const res = await request(t.http)
          .post(`${prefix}/partners/HOSTILE/offers/`)
          .set('X-Api-Key', key)
          .set('Content-Type', 'application/json')
          .send(offerWithContext(nestedArrays(5000)));
        expectTooDeep(res, PARTNER_MAX_JSON_DEPTH);
      }
      expect(await countRows('offers')).toBe(before);
    });

    it('the limit is exact: a body nested exactly to it is read (the route answers), one level more is refused', async () => {
      // the request object is level 1 and context level 2: arrays fill the levels left
      const atLimit = offerWithContext(nestedArrays(PARTNER_MAX_JSON_DEPTH - 1));
      const ok = await request(t.http).post('/x/partners/HOSTILE/offers/').set('X-Api-Key', key).set('Content-Type', 'application/json').send(atLimit);
      expect(ok.status).toBe(422);
      expect(ok.body.code).not.toBe('malformed_request');
      const over = offerWithContext(nestedArrays(PARTNER_MAX_JSON_DEPTH));
      expectTooDeep(
        await request(t.http).post('/x/partners/HOSTILE/offers/').set('X-Api-Key', key).set('Content-Type', 'application/json').send(over),
        PARTNER_MAX_JSON_DEPTH,
      );
    });

    it('Confirm with 20 000 nested arrays in quotes: 400, the offer stays unbooked', async () => {
      const offer = await createOffer(t, 'HOSTILE', key);
      const body = JSON.stringify(confirmBody([])).replace('"quotes":[]', `"quotes":${nestedArrays(20_000)}`);
      const res = await request(t.http).post(confirmPath('HOSTILE', offer.id)).set('X-Api-Key', key).set('Content-Type', 'application/json').send(body);
      expectTooDeep(res, PARTNER_MAX_JSON_DEPTH);
      const [row] = await dbQuery<{ status: string }>(t, 'SELECT status FROM offers WHERE id = $1', [offer.id]);
      expect(row.status).toBe('OFFERED');
    });

    it('admin preview with 20 000 nested arrays in request: 400 at the admin limit; a bundle as deep as real ones is accepted', async () => {
      const res = await request(t.http)
        .post('/admin/partners/HOSTILE/offers/preview')
        .set(ADMIN)
        .set('Content-Type', 'application/json')
        .send(`{"request":${nestedArrays(20_000)}}`);
      expectTooDeep(res, ADMIN_MAX_JSON_DEPTH);
      const deepButAllowed = await request(t.http)
        .post('/admin/partners/HOSTILE/offers/preview')
        .set(ADMIN)
        .set('Content-Type', 'application/json')
        .send(`{"request":${offerWithContext(nestedArrays(PARTNER_MAX_JSON_DEPTH))}}`);
      expect(deepButAllowed.status).toBe(200);
    });

    it('objects count like arrays, and brackets inside strings do not count', async () => {
      let deepObject = '1';
      for (let i = 0; i < PARTNER_MAX_JSON_DEPTH; i++) deepObject = `{"a":${deepObject}}`;
      const res = await request(t.http)
        .post('/x/partners/HOSTILE/offers/')
        .set('X-Api-Key', key)
        .set('Content-Type', 'application/json')
        .send(offerWithContext(deepObject));
      expectTooDeep(res, PARTNER_MAX_JSON_DEPTH);
      const bracketsInText = offerRequest();
      (bracketsInText.partner as Record<string, unknown>).customer_id = '['.repeat(5000);
      await request(t.http).post('/x/partners/HOSTILE/offers/').set('X-Api-Key', key).send(bracketsInText).expect(200);
    });
  });

  describe('compressed bodies (Content-Encoding)', () => {
    const offerJson = () => Buffer.from(JSON.stringify(offerRequest()));
    // written by hand: supertest does not send a Buffer as it is under a JSON Content-Type
    const post = async (path: string, headers: Record<string, string>, body: Buffer) => {
      const res = await rawRequest(t, 'POST', path, { 'Content-Type': 'application/json', ...headers }, body);
      return { status: res.status, body: JSON.parse(res.body) as Record<string, unknown> };
    };

    it('a body in the encoding it names is read: gzip, deflate and br', async () => {
      for (const [encoding, compress] of [
        ['gzip', gzipSync],
        ['deflate', deflateSync],
        ['br', brotliCompressSync],
      ] as const) {
        const res = await post('/x/partners/HOSTILE/offers/', { 'X-Api-Key': key, 'Content-Encoding': encoding }, compress(offerJson()));
        expect({ encoding, status: res.status }).toEqual({ encoding, status: 200 });
      }
    });

    it('a body that is not the encoding it names is a 400 malformed_request, on partner and admin routes, never a 500', async () => {
      const before = await countRows('offers');
      for (const encoding of ['gzip', 'deflate', 'br']) {
        const partner = await post('/x/partners/HOSTILE/offers/', { 'X-Api-Key': key, 'Content-Encoding': encoding }, offerJson());
        expect({ encoding, status: partner.status, body: partner.body }).toMatchObject({
          encoding,
          status: 400,
          body: { type: 'validation_error', code: 'malformed_request', message: `Request body could not be decoded as "${encoding}"` },
        });
        const admin = await post('/admin/partners', { ...ADMIN, 'Content-Encoding': encoding }, Buffer.from('{"code":"ZIPPED","name":"z"}'));
        expect({ encoding, status: admin.status, code: admin.body.code }).toEqual({ encoding, status: 400, code: 'malformed_request' });
      }
      // a gzip stream cut short
      const cut = await post('/x/partners/HOSTILE/offers/', { 'X-Api-Key': key, 'Content-Encoding': 'gzip' }, gzipSync(offerJson()).subarray(0, 20));
      expect({ status: cut.status, code: cut.body.code }).toEqual({ status: 400, code: 'malformed_request' });
      expect(await countRows('offers')).toBe(before);
      await request(t.http).get('/admin/partners/ZIPPED').set(ADMIN).expect(404);
    });

    it('a body that inflates past the limit is a 413, an unknown encoding a 415', async () => {
      const bomb = gzipSync(Buffer.alloc(20 * 1024 * 1024, 0x20));
      const big = await post('/x/partners/HOSTILE/offers/', { 'X-Api-Key': key, 'Content-Encoding': 'gzip' }, bomb);
      expect({ status: big.status, code: big.body.code }).toEqual({ status: 413, code: 'payload_too_large' });
      const unknown = await post('/x/partners/HOSTILE/offers/', { 'X-Api-Key': key, 'Content-Encoding': 'x-custom' }, offerJson());
      expect({ status: unknown.status, code: unknown.body.code }).toEqual({ status: 415, code: 'unsupported_media_type' });
    });
  });
});
