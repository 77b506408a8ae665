import { loadConfig } from '@app/core';
import { keepsEverything, MAX_RETENTION_BATCH, retentionCutoffs, retentionPolicy } from './retention-policy';

const DAY_MS = 86_400_000;
const now = new Date('2026-11-25T12:00:00Z');

describe('retentionPolicy', () => {
  it('keeps offers 30 days after expiry and finished webhook deliveries 30 days, every 300 s, by default', () => {
    const p = retentionPolicy(loadConfig({}), 'postgres');
    expect(p).toEqual({
      offerRetentionMs: 30 * DAY_MS,
      deliveryRetentionMs: 30 * DAY_MS,
      batchSize: 1000,
      pauseMs: 100,
      intervalMs: 300_000,
      leaseMs: 600_000,
    });
    expect(retentionCutoffs(now, p)).toEqual({
      offers: new Date('2026-10-26T12:00:00Z'),
      bookingChanges: new Date('2026-10-26T12:00:00Z'),
      webhookDeliveries: new Date('2026-10-26T12:00:00Z'),
    });
  });

  it('deletes in smaller batches, further apart, on SQLite (one writer) unless told otherwise', () => {
    expect(retentionPolicy(loadConfig({}), 'sqlite')).toMatchObject({ batchSize: 200, pauseMs: 1000 });
    expect(retentionPolicy(loadConfig({ RETENTION_BATCH_SIZE: '1000', RETENTION_PAUSE_MS: '0' }), 'sqlite')).toMatchObject({ batchSize: 1000, pauseMs: 0 });
  });

  it('takes OFFER_RETENTION_SECONDS over OFFER_RETENTION_DAYS', () => {
    const p = retentionPolicy(loadConfig({ OFFER_RETENTION_DAYS: '90', OFFER_RETENTION_SECONDS: '5' }), 'sqlite');
    expect(p.offerRetentionMs).toBe(5000);
    expect(retentionCutoffs(now, p).offers).toEqual(new Date('2026-11-25T11:59:55Z'));
  });

  it('keeps forever what has a retention of 0', () => {
    const offersKept = retentionPolicy(loadConfig({ OFFER_RETENTION_DAYS: '0' }), 'sqlite');
    expect(retentionCutoffs(now, offersKept)).toEqual({ offers: null, bookingChanges: null, webhookDeliveries: new Date('2026-10-26T12:00:00Z') });
    expect(keepsEverything(offersKept)).toBe(false);
    const all = retentionPolicy(loadConfig({ OFFER_RETENTION_SECONDS: '0', WEBHOOK_DELIVERY_RETENTION_DAYS: '0' }), 'postgres');
    expect(retentionCutoffs(now, all)).toEqual({ offers: null, bookingChanges: null, webhookDeliveries: null });
    expect(keepsEverything(all)).toBe(true);
  });

  it('holds the lease for two intervals, at least a minute', () => {
    expect(retentionPolicy(loadConfig({ RETENTION_INTERVAL_S: '5' }), 'sqlite').leaseMs).toBe(60_000);
    expect(retentionPolicy(loadConfig({ RETENTION_INTERVAL_S: '3600' }), 'sqlite').leaseMs).toBe(7_200_000);
  });

  it('never batches more than 1000 rows', () => {
    expect(MAX_RETENTION_BATCH).toBe(1000);
    expect(retentionPolicy({ ...loadConfig({}), retentionBatchSize: 5000 }, 'postgres').batchSize).toBe(1000);
    expect(retentionPolicy(loadConfig({ RETENTION_BATCH_SIZE: '50' }), 'postgres').batchSize).toBe(50);
  });
});

describe('retention settings', () => {
  it('parses every variable', () => {
    const c = loadConfig({
      RETENTION_ENABLED: 'false',
      OFFER_RETENTION_DAYS: '7',
      OFFER_RETENTION_SECONDS: '5',
      RETENTION_INTERVAL_S: '60',
      RETENTION_BATCH_SIZE: '200',
      RETENTION_PAUSE_MS: '0',
      WEBHOOK_DELIVERY_RETENTION_DAYS: '0',
    });
    expect(c).toMatchObject({
      retentionEnabled: false,
      offerRetentionDays: 7,
      offerRetentionSeconds: 5,
      retentionIntervalS: 60,
      retentionBatchSize: 200,
      retentionPauseMs: 0,
      webhookDeliveryRetentionDays: 0,
    });
    expect(loadConfig({})).toMatchObject({ retentionEnabled: true, offerRetentionDays: 30, retentionIntervalS: 300, webhookDeliveryRetentionDays: 30 });
    expect(loadConfig({}).offerRetentionSeconds).toBeUndefined();
    expect(loadConfig({}).retentionBatchSize).toBeUndefined();
    expect(loadConfig({}).retentionPauseMs).toBeUndefined();
  });

  it.each([
    ['OFFER_RETENTION_DAYS', '-1'],
    ['OFFER_RETENTION_DAYS', 'thirty'],
    ['OFFER_RETENTION_SECONDS', '1.5'],
    ['RETENTION_INTERVAL_S', '0'],
    ['RETENTION_BATCH_SIZE', '1001'],
    ['RETENTION_BATCH_SIZE', '0'],
    ['RETENTION_PAUSE_MS', '60001'],
    ['WEBHOOK_DELIVERY_RETENTION_DAYS', '36501'],
    ['RETENTION_ENABLED', 'sometimes'],
  ])('refuses %s=%s, naming it', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(name));
  });
});
