import request from 'supertest';
import { startTestApp, TestApp } from '../support/app';
import { confirmBody, confirmPath, createOffer, dbQuery, offerRequest, quoteId, setupShop } from '../support/booking-fixtures';

/** Values longer than the columns that keep them: a 422 naming the field on every engine (PostgreSQL refuses them, SQLite would keep them). */
describe('Partner values longer than their columns (e2e)', () => {
  let t: TestApp;
  let key: string;
  beforeAll(async () => {
    t = await startTestApp();
    key = await setupShop(t, 'LIMITS');
  });
  afterAll(async () => t.close());

  const offers = async (): Promise<number> => Number((await dbQuery<{ n: number }>(t, 'SELECT COUNT(*) AS n FROM offers'))[0].n);

  it('Create Offer: partner.transaction_id of 201 characters is a 422 at its path, 200 characters are kept', async () => {
    const before = await offers();
    const long = offerRequest();
    (long.partner as Record<string, unknown>).transaction_id = 'T'.repeat(201);
    const res = await request(t.http).post('/x/partners/LIMITS/offers/').set('X-Api-Key', key).send(long).expect(422);
    expect(res.body).toMatchObject({ code: 'offer_validation_error', errors: { '/partner/transaction_id': [expect.stringContaining('200')] } });
    expect(await offers()).toBe(before);
    const offer = await createOffer(t, 'LIMITS', key, { transactionId: 'T'.repeat(200) });
    expect(offer.partner_transaction_id).toBe('T'.repeat(200));
  });

  it('an idempotency key of 256 characters is a 422 on create and confirm; 255 characters work', async () => {
    const before = await offers();
    const res = await request(t.http)
      .post('/x/partners/LIMITS/offers/')
      .set('X-Api-Key', key)
      .set('X-Idempotency-Key', 'k'.repeat(256))
      .send(offerRequest())
      .expect(422);
    expect(res.body).toMatchObject({ code: 'idempotency_key_invalid', errors: { 'headers.x-idempotency-key': [expect.stringContaining('255')] } });
    expect(await offers()).toBe(before);
    await request(t.http).post('/x/partners/LIMITS/offers/').set('X-Api-Key', key).set('X-Idempotency-Key', 'k'.repeat(255)).send(offerRequest()).expect(200);
    const offer = await createOffer(t, 'LIMITS', key);
    const confirm = await request(t.http)
      .post(confirmPath('LIMITS', offer.id))
      .set('X-Api-Key', key)
      .set('X-Idempotency-Key', 'c'.repeat(256))
      .send(confirmBody([quoteId(offer, 'PROTECT')]))
      .expect(422);
    expect(confirm.body.code).toBe('idempotency_key_invalid');
    const [row] = await dbQuery<{ status: string }>(t, 'SELECT status FROM offers WHERE id = $1', [offer.id]);
    expect(row.status).toBe('OFFERED');
  });
});
