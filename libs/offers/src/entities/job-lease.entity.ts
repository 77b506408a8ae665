import { Column, Entity, PrimaryColumn } from 'typeorm';
import { dateColumn } from '@app/core';

/**
 * Which instance runs a background job (the retention purge): the holder of the job's row until
 * `expires_at`. Taken and renewed by one conditional statement the database decides (see
 * retention/job-lease.ts), so two instances never both hold it; a crashed holder's lease runs out.
 */
@Entity('job_leases')
export class JobLeaseEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  name!: string;

  /** the instance holding the lease (host, process id, a random part) */
  @Column({ type: 'varchar', length: 64 })
  holder!: string;

  @Column(dateColumn({ name: 'expires_at' }))
  expiresAt!: Date;
}
