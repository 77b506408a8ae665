import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { AuditInput, AuditService } from '@app/audit';
import { DomainError } from '@app/core';
import { TransactionRunner } from '@app/database';
import { KeyRing, SecretBoxError, type PartnersService, type PartnerView } from '@app/partners';
import { openMigratedSqlite, type MigratedSqlite } from '../../../test/support/migrated-sqlite';
import { TestClock } from '../../../test/support/test-clock';
import { WebhookDeliveryEntity } from './entities/webhook-delivery.entity';
import { WebhookEndpointEntity } from './entities/webhook-endpoint.entity';
import { webhookSecretAad, WebhookEndpointsService } from './webhook-endpoints.service';
import { MAX_WEBHOOK_ENDPOINTS_PER_PARTNER, PREVIOUS_SECRET_TTL_MS } from './webhook-endpoints.types';
import { isWebhookSecret } from './webhook-signatures';
import type { Resolve } from './webhook-target';

const KEY = Buffer.alloc(32, 7);
const T0 = new Date('2026-03-01T12:00:00.000Z');
const CTX = { actor: 'admin-key:test', requestId: 'req-1' };

function partner(code: string): PartnerView {
  return {
    id: randomUUID(),
    code,
    name: code,
    status: 'active',
    defaultSchema: null,
    rateLimits: null,
    currentVersion: 0,
    createdAt: T0,
    updatedAt: T0,
  };
}

/** a resolver with fixed answers: public, private, or no such name */
const resolver: Resolve = async (hostname) => {
  if (hostname === 'hooks.example.com') return [{ address: '93.184.216.34', family: 4 }];
  if (hostname === 'internal.example.com') return [{ address: '10.1.2.3', family: 4 }];
  if (hostname === 'mixed.example.com')
    return [
      { address: '93.184.216.34', family: 4 },
      { address: '169.254.169.254', family: 4 },
    ];
  throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
};

async function expectDomainError(promise: Promise<unknown>, code: string): Promise<DomainError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DomainError);
  expect((err as DomainError).code).toBe(code);
  return err as DomainError;
}

describe('WebhookEndpointsService', () => {
  let db: MigratedSqlite;
  let ds: DataSource;
  let clock: TestClock;
  let entries: AuditInput[];
  const audit = {
    record: async (input: AuditInput) => {
      entries.push(structuredClone(input));
    },
  } as unknown as AuditService;
  const acme = partner('ACME');
  const other = partner('OTHER');
  const partners = {
    get: async (code: string) => {
      const p = [acme, other].find((x) => x.code === code);
      if (!p) throw new DomainError('not_found', 'partner_not_found', 'no');
      return p;
    },
    getById: async (id: string) => [acme, other].find((x) => x.id === id),
  } as unknown as PartnersService;

  function service(
    key: Buffer | null = KEY,
    policy = { webhookAllowHttp: false, webhookAllowPrivateNetworks: false },
    oldKeys: Buffer[] = [],
  ): WebhookEndpointsService {
    const tx = new TransactionRunner(ds);
    const box = new KeyRing(
      key ? { id: undefined, key } : null,
      oldKeys.map((k) => ({ id: undefined, key: k })),
    );
    const s = new WebhookEndpointsService(
      tx,
      partners,
      audit,
      box,
      clock,
      policy,
      ds.getRepository(WebhookEndpointEntity),
      ds.getRepository(WebhookDeliveryEntity),
    );
    s.resolve = resolver;
    return s;
  }

  const auditText = (): string => JSON.stringify(entries);
  const row = (id: string) => ds.getRepository(WebhookEndpointEntity).findOneByOrFail({ id });

  beforeAll(async () => {
    db = await openMigratedSqlite('webhook-endpoints');
    ds = db.ds;
  });
  afterAll(async () => db.close());
  beforeEach(async () => {
    clock = new TestClock();
    clock.pin(T0);
    await ds.query('DELETE FROM webhook_deliveries');
    await ds.query('DELETE FROM webhook_endpoints');
    entries = [];
  });

  describe('create', () => {
    it('stores the URL normalised, the secret sealed under the endpoint id, and returns the secret once', async () => {
      const s = service();
      const created = await s.create('ACME', { url: 'HTTPS://Hooks.Example.com:443/a/../in?x=1', events: ['booking.created'] }, CTX);
      expect(created).toMatchObject({
        url: 'https://hooks.example.com/in?x=1',
        events: ['booking.created'],
        description: null,
        format: 'standard',
        status: 'enabled',
        disabledReason: null,
        previousSecretExpiresAt: null,
        createdAt: T0,
        updatedAt: T0,
      });
      expect(isWebhookSecret(created.secret)).toBe(true);
      const stored = await row(created.id);
      expect(stored.secret).not.toContain(created.secret.slice(6));
      expect(new KeyRing({ id: undefined, key: KEY }).open(stored.secret, webhookSecretAad(created.id))).toBe(created.secret);
      expect(s.openSecrets(stored, T0)).toEqual([created.secret]);
      expect(await s.get('ACME', created.id)).not.toHaveProperty('secret');
    });

    it('refuses a name resolving to a private or link-local address, and one that does not resolve', async () => {
      const s = service();
      for (const host of ['internal.example.com', 'mixed.example.com', 'nowhere.example.com']) {
        const err = await expectDomainError(
          s.create('ACME', { url: `https://${host}/hook?token=s3cr3t`, events: ['booking.created'] }, CTX),
          'webhook_url_invalid',
        );
        expect(err.message).toContain(host);
        expect(JSON.stringify(err)).not.toContain('s3cr3t');
        expect(err.errors?.url?.[0]).toBe(err.message);
      }
      expect(await s.list('ACME')).toEqual([]);
    });

    it('allows a private target with both allow settings on', async () => {
      const s = service(KEY, { webhookAllowHttp: true, webhookAllowPrivateNetworks: true });
      const created = await s.create('ACME', { url: 'http://internal.example.com/hook', events: ['booking.created'] }, CTX);
      expect(created.url).toBe('http://internal.example.com/hook');
    });

    it.each([
      [[], 'events'],
      [['booking.created', 'booking.created'], 'events'],
      [['booking.created', 'webhook.test'], 'events'],
      [['nope'], 'events'],
    ])('refuses events %j', async (events, path) => {
      const err = await expectDomainError(service().create('ACME', { url: 'https://hooks.example.com/', events }, CTX), 'validation_error');
      expect(Object.keys(err.errors ?? {})).toEqual([path]);
    });

    it(`stops at ${MAX_WEBHOOK_ENDPOINTS_PER_PARTNER} endpoints per partner (disabled ones count), other partners unaffected`, async () => {
      const s = service();
      const ids: string[] = [];
      for (let i = 0; i < MAX_WEBHOOK_ENDPOINTS_PER_PARTNER; i++) {
        ids.push((await s.create('ACME', { url: `https://hooks.example.com/${i}`, events: ['booking.created'] }, CTX)).id);
      }
      await s.update('ACME', ids[0], { status: 'disabled' }, CTX);
      await expectDomainError(s.create('ACME', { url: 'https://hooks.example.com/x', events: ['booking.created'] }, CTX), 'webhook_limit_reached');
      await s.create('OTHER', { url: 'https://hooks.example.com/x', events: ['booking.created'] }, CTX);
      await s.remove('ACME', ids[1], CTX);
      await s.create('ACME', { url: 'https://hooks.example.com/x', events: ['booking.created'] }, CTX);
      // oldest first
      expect((await s.list('ACME')).map((e) => e.id).slice(0, 2)).toEqual([ids[0], ids[2]]);
    });

    it('needs an encryption key: 422 encryption_key_missing', async () => {
      await expectDomainError(service(null).create('ACME', { url: 'https://hooks.example.com/', events: ['booking.created'] }, CTX), 'encryption_key_missing');
    });
  });

  describe('openSecrets', () => {
    it('returns the new secret, then the previous one until it expires (exclusive)', async () => {
      const s = service();
      const created = await s.create('ACME', { url: 'https://hooks.example.com/', events: ['booking.created'] }, CTX);
      clock.pin(T0.getTime() + 1000);
      const rotated = await s.rotateSecret('ACME', created.id, CTX);
      expect(rotated.secret).not.toBe(created.secret);
      expect(rotated.previousSecretExpiresAt).toEqual(new Date(T0.getTime() + 1000 + PREVIOUS_SECRET_TTL_MS));
      const stored = await row(created.id);
      const expiry = rotated.previousSecretExpiresAt.getTime();
      expect(s.openSecrets(stored, new Date(expiry - 1))).toEqual([rotated.secret, created.secret]);
      expect(s.openSecrets(stored, new Date(expiry))).toEqual([rotated.secret]);
      expect((await s.get('ACME', created.id)).previousSecretExpiresAt).toEqual(rotated.previousSecretExpiresAt);

      // a second rotation drops the first secret
      const again = await s.rotateSecret('ACME', created.id, CTX);
      expect(s.openSecrets(await row(created.id), clock.now())).toEqual([again.secret, rotated.secret]);
    });

    it("refuses an envelope copied from another endpoint's row (bound to its id)", async () => {
      const s = service();
      const a = await s.create('ACME', { url: 'https://hooks.example.com/a', events: ['booking.created'] }, CTX);
      const b = await s.create('ACME', { url: 'https://hooks.example.com/b', events: ['booking.created'] }, CTX);
      const rowB = await row(b.id);
      expect(() => s.openSecrets({ ...rowB, id: a.id }, T0)).toThrow(SecretBoxError);
    });
  });

  describe('resealStaleSecrets (after an encryption key rotation)', () => {
    const NEW_KEY = Buffer.alloc(32, 9);
    const policy = { webhookAllowHttp: false, webhookAllowPrivateNetworks: false };

    it('re-seals the current and the previous secret under the new key, once; the old key is then not needed', async () => {
      const before = service(KEY);
      const created = await before.create('ACME', { url: 'https://hooks.example.com/', events: ['booking.created'] }, CTX);
      const rotated = await before.rotateSecret('ACME', created.id, CTX);
      const after = service(NEW_KEY, policy, [KEY]);
      const stale = await row(created.id);

      expect(await after.resealStaleSecrets(stale)).toBe(true);
      const resealed = await row(created.id);
      expect(resealed.secret).not.toBe(stale.secret);
      expect(resealed.previousSecret).not.toBe(stale.previousSecret);
      const newKeyOnly = service(NEW_KEY);
      expect(newKeyOnly.openSecrets(resealed, T0)).toEqual([rotated.secret, created.secret]);
      expect(() => newKeyOnly.openSecrets(stale, T0)).toThrow(SecretBoxError);
      expect(await after.resealStaleSecrets(resealed)).toBe(false);
      expect((await row(created.id)).secret).toBe(resealed.secret);
    });

    it('writes nothing when the row changed since it was read (a rotation in between wins)', async () => {
      const before = service(KEY);
      const created = await before.create('ACME', { url: 'https://hooks.example.com/', events: ['booking.created'] }, CTX);
      const stale = await row(created.id);
      const after = service(NEW_KEY, policy, [KEY]);
      const rotated = await after.rotateSecret('ACME', created.id, CTX);
      const current = await row(created.id);

      expect(await after.resealStaleSecrets(stale)).toBe(false);
      expect(await row(created.id)).toEqual(current);
      expect(after.openSecrets(current, T0)).toEqual([rotated.secret, created.secret]);
    });

    it('re-seals an endpoint that was never rotated (no previous secret)', async () => {
      const created = await service(KEY).create('ACME', { url: 'https://hooks.example.com/', events: ['booking.created'] }, CTX);
      const after = service(NEW_KEY, policy, [KEY]);
      expect(await after.resealStaleSecrets(await row(created.id))).toBe(true);
      const resealed = await row(created.id);
      expect(resealed.previousSecret).toBeNull();
      expect(service(NEW_KEY).openSecrets(resealed, T0)).toEqual([created.secret]);
    });

    it('leaves a row sealed under the current key alone', async () => {
      const s = service(KEY);
      const created = await s.create('ACME', { url: 'https://hooks.example.com/', events: ['booking.created'] }, CTX);
      const stored = await row(created.id);
      expect(await s.resealStaleSecrets(stored)).toBe(false);
      expect(await row(created.id)).toEqual(stored);
    });
  });

  describe('update', () => {
    it('changes the fields given, re-checks the URL, and enabling clears the disabled reason', async () => {
      const s = service();
      const created = await s.create('ACME', { url: 'https://hooks.example.com/', events: ['booking.created'], description: 'first' }, CTX);
      await expectDomainError(s.update('ACME', created.id, { url: 'https://internal.example.com/' }, CTX), 'webhook_url_invalid');

      clock.pin(T0.getTime() + 5000);
      expect(await s.disable(created.id, 'the receiver answered 410 Gone', clock.now())).toBe(true);
      expect(await s.disable(created.id, 'again', clock.now())).toBe(false);
      expect(await s.get('ACME', created.id)).toMatchObject({ status: 'disabled', disabledReason: 'the receiver answered 410 Gone' });

      clock.pin(T0.getTime() + 9000);
      const updated = await s.update('ACME', created.id, { status: 'enabled', events: ['booking.cancelled'], description: null }, CTX);
      expect(updated).toMatchObject({
        status: 'enabled',
        disabledReason: null,
        events: ['booking.cancelled'],
        description: null,
        url: 'https://hooks.example.com/',
      });
      expect(updated.updatedAt).toEqual(new Date(T0.getTime() + 9000));
      expect(updated.createdAt).toEqual(T0);

      const actions = entries.map((e) => [e.action, e.actor]);
      expect(actions).toEqual([
        ['webhook.create', CTX.actor],
        ['webhook.disable', 'system'],
        ['webhook.update', CTX.actor],
      ]);
    });

    it("404 webhook_not_found for another partner's endpoint", async () => {
      const s = service();
      const theirs = await s.create('OTHER', { url: 'https://hooks.example.com/', events: ['booking.created'] }, CTX);
      await expectDomainError(s.get('ACME', theirs.id), 'webhook_not_found');
      await expectDomainError(s.update('ACME', theirs.id, { status: 'disabled' }, CTX), 'webhook_not_found');
      await expectDomainError(s.remove('ACME', theirs.id, CTX), 'webhook_not_found');
      await expectDomainError(s.rotateSecret('ACME', theirs.id, CTX), 'webhook_not_found');
      await expectDomainError(s.sendTest('ACME', theirs.id, CTX), 'webhook_not_found');
      await expectDomainError(s.listDeliveries('ACME', theirs.id, { limit: 10, offset: 0 }), 'webhook_not_found');
      expect((await s.get('OTHER', theirs.id)).status).toBe('enabled');
    });
  });

  describe('deliveries', () => {
    it('test events, redelivery and deletion with the endpoint', async () => {
      const s = service();
      const created = await s.create('ACME', { url: 'https://hooks.example.com/', events: ['booking.created'] }, CTX);
      const test = await s.sendTest('ACME', created.id, CTX);
      const stored = await ds.getRepository(WebhookDeliveryEntity).findOneByOrFail({ id: test.deliveryId });
      expect(stored).toMatchObject({
        endpointId: created.id,
        partnerId: acme.id,
        eventId: test.eventId,
        eventType: 'webhook.test',
        payload: { webhook_id: created.id, message: 'test event' },
        status: 'pending',
        attempts: 0,
        nextAttemptAt: T0,
        leaseUntil: null,
      });

      await ds
        .getRepository(WebhookDeliveryEntity)
        .update(
          { id: test.deliveryId },
          { status: 'failed', attempts: 9, lastStatusCode: 500, lastError: 'boom', leaseUntil: new Date(T0.getTime() + 60_000) },
        );
      clock.pin(T0.getTime() + 3_600_000);
      expect(await s.redeliver('ACME', created.id, test.deliveryId, CTX)).toEqual({ id: test.deliveryId, status: 'pending' });
      expect(await ds.getRepository(WebhookDeliveryEntity).findOneByOrFail({ id: test.deliveryId })).toMatchObject({
        status: 'pending',
        nextAttemptAt: clock.now(),
        leaseUntil: null,
        attempts: 9,
        lastStatusCode: 500,
      });
      await expectDomainError(s.redeliver('ACME', created.id, randomUUID(), CTX), 'webhook_delivery_not_found');

      const page = await s.listDeliveries('ACME', created.id, { limit: 10, offset: 0, status: 'pending' });
      expect(page.count).toBe(1);
      expect(page.results[0]).toMatchObject({ id: test.deliveryId, type: 'webhook.test', attempts: 9, nextAttemptAt: clock.now() });

      await s.update('ACME', created.id, { status: 'disabled' }, CTX);
      await expectDomainError(s.sendTest('ACME', created.id, CTX), 'webhook_disabled');

      await s.remove('ACME', created.id, CTX);
      expect(await db.count('webhook_deliveries')).toBe(0);
      expect(await db.count('webhook_endpoints')).toBe(0);
    });
  });

  it('the audit log never holds a secret nor the URL query string', async () => {
    const s = service();
    const created = await s.create('ACME', { url: 'https://hooks.example.com/in?token=abc123', events: ['booking.created'] }, CTX);
    const rotated = await s.rotateSecret('ACME', created.id, CTX);
    await s.update('ACME', created.id, { url: 'https://hooks.example.com/in?token=def456' }, CTX);
    await s.sendTest('ACME', created.id, CTX);
    await s.remove('ACME', created.id, CTX);
    expect(entries.map((e) => e.action)).toEqual(['webhook.create', 'webhook.rotate_secret', 'webhook.update', 'webhook.test', 'webhook.delete']);
    for (const e of entries) expect(e).toMatchObject({ partnerCode: 'ACME', targetType: 'webhook_endpoint', targetId: created.id });
    const text = auditText();
    for (const secret of [created.secret, rotated.secret]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(secret.slice(6, 30));
    }
    expect(text).not.toContain('abc123');
    expect(text).not.toContain('def456');
    expect(text).not.toContain('v1.'); // no envelope
    expect(text).toContain('https://hooks.example.com/in?…');
  });
});
