import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { InvalidError } from '@app/core';
import { TransactionRunner } from '@app/database';
import { scrubSecrets } from './audit-scrub';
import { AuditRepository, AuditRow } from './audit.repository';
import { AUDIT_DEFAULT_LIMIT, AUDIT_MAX_LIMIT, AuditEntryView, AuditInput, AuditListQuery, AuditPage } from './audit.types';

export type { AuditInput } from './audit.types';

/** The admin change log: who changed what, when, with the state before and after. */
@Injectable()
export class AuditService {
  /** last created_at handed out, so entries of this instance never tie and list in write order */
  private lastAtMs = 0;

  constructor(
    private readonly repo: AuditRepository,
    private readonly tx: TransactionRunner,
  ) {}

  /**
   * Records one change. Pass `manager` to write inside the caller's transaction (the entry then
   * commits or rolls back with the change); without it the entry is written in its own.
   * before/after are scrubbed of anything that looks like key material.
   */
  async record(input: AuditInput, manager?: EntityManager): Promise<void> {
    const row: AuditRow = {
      id: randomUUID(),
      actor: input.actor.slice(0, 100),
      action: input.action,
      partnerCode: input.partnerCode ?? null,
      targetType: input.targetType,
      targetId: input.targetId ?? null,
      before: scrubSecrets(input.before),
      after: scrubSecrets(input.after),
      requestId: input.requestId ? input.requestId.slice(0, 64) : null,
      // set here (ms precision, strictly increasing per instance) rather than by the database
      // default (whole seconds on SQLite), so newest-first lists keep the order of the changes
      createdAt: this.nextCreatedAt(),
    };
    if (manager) await this.repo.insert(row, manager);
    else await this.tx.run((m) => this.repo.insert(row, m));
  }

  private nextCreatedAt(): Date {
    this.lastAtMs = Math.max(Date.now(), this.lastAtMs + 1);
    return new Date(this.lastAtMs);
  }

  /** Newest first, `limit` per page (default 50, max 500), paged with the `before` cursor. */
  async list(query: AuditListQuery = {}): Promise<AuditPage> {
    const limit = query.limit ?? AUDIT_DEFAULT_LIMIT;
    if (!Number.isInteger(limit) || limit < 1 || limit > AUDIT_MAX_LIMIT) {
      throw new InvalidError('validation_error', 'Request validation failed', { limit: [`must be an integer from 1 to ${AUDIT_MAX_LIMIT}`] });
    }
    let cursor: { createdAt: Date; id: string } | undefined;
    if (query.before !== undefined) {
      const at = await this.repo.findById(query.before);
      if (!at) throw new InvalidError('invalid_cursor', 'Unknown audit cursor', { before: ['no audit entry has this id'] });
      cursor = { createdAt: at.createdAt, id: at.id };
    }
    const rows = await this.repo.list({
      partnerCode: query.partnerCode,
      action: query.action,
      from: query.from,
      to: query.to,
      cursor,
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    return {
      items: page.map(toAuditEntryView),
      nextBefore: rows.length > limit ? page[page.length - 1].id : null,
    };
  }
}

function toAuditEntryView(row: AuditRow): AuditEntryView {
  return {
    id: row.id,
    actor: row.actor,
    action: row.action,
    partnerCode: row.partnerCode,
    targetType: row.targetType,
    targetId: row.targetId,
    before: row.before ?? null,
    after: row.after ?? null,
    requestId: row.requestId,
    createdAt: row.createdAt,
  };
}
