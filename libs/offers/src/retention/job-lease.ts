import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { EntityManager } from 'typeorm';
import { engineOf, preparedQuery, type TransactionRunner } from '@app/database';
import { ACQUIRE_LEASE, acquireLeaseParams, RELEASE_LEASE, releaseLeaseParams } from './retention.sql';

/** this process's name as a lease holder: host, process id and a random part (a restarted process is another holder) */
export function leaseHolderId(): string {
  return `${hostname().slice(0, 40)}:${process.pid}:${randomBytes(4).toString('hex')}`.slice(0, 64);
}

/**
 * One background job's lease in `job_leases`, held by one instance at a time. The database
 * decides who holds it (ACQUIRE_LEASE: one conditional upsert), on SQLite and PostgreSQL alike;
 * a holder that dies without giving it up loses it once `expires_at` passes.
 */
export class JobLease {
  constructor(
    readonly name: string,
    readonly holder: string,
    private readonly ttlMs: number,
  ) {}

  /**
   * Takes or renews the lease until `now` + its time to live, in the caller's transaction (so a
   * batch of work commits only while its lease is held); false when another holder's is valid.
   */
  async acquire(manager: EntityManager, now: Date): Promise<boolean> {
    const engine = engineOf(manager);
    const { affected } = await preparedQuery(
      manager,
      ACQUIRE_LEASE[engine],
      acquireLeaseParams(engine, { name: this.name, holder: this.holder, expiresAt: new Date(now.getTime() + this.ttlMs), now }),
    );
    return affected === 1;
  }

  /** Gives the lease up, when this holder has it. */
  async release(tx: TransactionRunner): Promise<void> {
    await tx.run((m) => preparedQuery(m, RELEASE_LEASE[engineOf(m)], releaseLeaseParams({ name: this.name, holder: this.holder })));
  }
}
