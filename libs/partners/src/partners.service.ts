import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditService, ChangeContext } from '@app/audit';
import { BundlePartner, ConfigEvents, InvalidError } from '@app/core';
import { TransactionRunner } from '@app/database';
import { ApiKeyAuthCache } from './auth-cache';
import { PartnerRateLimits } from './entities/partner.entity';
import { isUniqueViolation, partnerExists, partnerNotFound } from './partners.errors';
import { PartnerChanges, PartnerRow, PartnersRepository } from './partners.repository';
import { CreatePartnerInput, PARTNER_CODE_PATTERN, partnerSnapshot, PartnerView, UpdatePartnerInput } from './partners.types';

export interface BundleUpsertResult {
  id: string;
  created: boolean;
  before: PartnerView | null;
  after: PartnerView;
}

@Injectable()
export class PartnersService {
  constructor(
    private readonly repo: PartnersRepository,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly authCache: ApiKeyAuthCache,
    private readonly events: ConfigEvents,
  ) {}

  async create(input: CreatePartnerInput, ctx: ChangeContext): Promise<PartnerView> {
    assertCode(input.code);
    const now = new Date();
    const row: PartnerRow = {
      id: randomUUID(),
      code: input.code,
      name: input.name,
      status: input.status ?? 'active',
      defaultSchema: input.defaultSchema ?? null,
      rateLimits: normaliseRateLimits(input.rateLimits),
      currentVersion: 0,
      createdAt: now,
      updatedAt: now,
      deletedAt: null,
    };
    try {
      await this.tx.run(async (m) => {
        if (await this.repo.findAnyByCode(input.code, m)) throw partnerExists(input.code);
        await this.repo.insert(row, m);
        await this.audit.record(
          {
            actor: ctx.actor,
            requestId: ctx.requestId,
            action: 'partner.create',
            partnerCode: row.code,
            targetType: 'partner',
            targetId: row.id,
            before: null,
            after: partnerSnapshot(toView(row)),
          },
          m,
        );
      });
    } catch (err) {
      // two instances creating the same code at once on PostgreSQL
      if (isUniqueViolation(err)) throw partnerExists(input.code);
      throw err;
    }
    return toView(row);
  }

  /** 404 `partner_not_found` when absent */
  async get(code: string): Promise<PartnerView> {
    const row = await this.repo.findByCode(code);
    if (!row) throw partnerNotFound(code);
    return toView(row);
  }

  /** null when absent */
  async find(code: string): Promise<PartnerView | null> {
    const row = await this.repo.findByCode(code);
    return row ? toView(row) : null;
  }

  /** 404 `partner_not_found` when absent */
  async getById(id: string, manager?: EntityManager): Promise<PartnerView> {
    const row = await this.repo.findById(id, manager);
    if (!row) throw partnerNotFound(id);
    return toView(row);
  }

  async list(): Promise<PartnerView[]> {
    return (await this.repo.list()).map(toView);
  }

  /** Changes name, status and/or rate limits; writes `partner.update` when anything changed. */
  async update(code: string, input: UpdatePartnerInput, ctx: ChangeContext): Promise<PartnerView> {
    const result = await this.tx.run(async (m) => {
      const row = await this.repo.findByCode(code, m);
      if (!row) throw partnerNotFound(code);
      const changes: PartnerChanges = {};
      if (input.name !== undefined && input.name !== row.name) changes.name = input.name;
      if (input.status !== undefined && input.status !== row.status) changes.status = input.status;
      if (input.rateLimits !== undefined) {
        const rl = normaliseRateLimits(input.rateLimits);
        if (!sameJson(rl, row.rateLimits)) changes.rateLimits = rl;
      }
      if (Object.keys(changes).length === 0) return { before: row, after: row };
      const after: PartnerRow = { ...row, ...changes, updatedAt: new Date() };
      await this.repo.update(row.id, { ...changes, updatedAt: after.updatedAt }, m);
      await this.audit.record(
        {
          actor: ctx.actor,
          requestId: ctx.requestId,
          action: 'partner.update',
          partnerCode: row.code,
          targetType: 'partner',
          targetId: row.id,
          before: partnerSnapshot(toView(row)),
          after: partnerSnapshot(toView(after)),
        },
        m,
      );
      return { before: row, after };
    });
    // after commit: config caches (rate limits) and the key cache (status) reload
    if (result.before !== result.after) this.events.emitChange(result.after.id);
    return toView(result.after);
  }

  /**
   * For the bundle writer, inside its transaction: creates the partner when absent, else sets
   * name, status, default_schema and rate_limits from the bundle (absent fields take the bundle
   * defaults: status active, no default schema, no rate-limit overrides). Writes no audit entry
   * (the caller records `bundle.write` with `before`/`after`) and emits no event: the caller
   * emits ConfigEvents.emitChange(id) after commit, which also drops cached key authentications.
   */
  async upsertFromBundle(p: BundlePartner, manager: EntityManager): Promise<BundleUpsertResult> {
    assertCode(p.code);
    const now = new Date();
    const existing = await this.repo.findAnyByCode(p.code, manager);
    const fields = {
      name: p.name,
      status: p.status ?? 'active',
      defaultSchema: p.default_schema ?? null,
      rateLimits: normaliseRateLimits(p.rate_limits),
    } as const;
    if (!existing) {
      const row: PartnerRow = { id: randomUUID(), code: p.code, ...fields, currentVersion: 0, createdAt: now, updatedAt: now, deletedAt: null };
      await this.repo.insert(row, manager);
      return { id: row.id, created: true, before: null, after: toView(row) };
    }
    const after: PartnerRow = { ...existing, ...fields, deletedAt: null, updatedAt: now };
    await this.repo.update(existing.id, { ...fields, deletedAt: null, updatedAt: now }, manager);
    this.authCache.invalidatePartner(existing.id);
    return { id: existing.id, created: false, before: existing.deletedAt ? null : toView(existing), after: toView(after) };
  }

  /** Records the bundle version now in force (inside the bundle writer's transaction). */
  async setCurrentVersion(partnerId: string, version: number, manager: EntityManager): Promise<void> {
    await this.repo.update(partnerId, { currentVersion: version, updatedAt: new Date() }, manager);
  }
}

function assertCode(code: string): void {
  if (!PARTNER_CODE_PATTERN.test(code)) {
    throw new InvalidError('validation_error', 'Request validation failed', { code: ['must match ^[A-Z0-9_-]{2,32}$'] });
  }
}

/** keeps only the known limits; an empty object means no overrides */
function normaliseRateLimits(rl: PartnerRateLimits | null | undefined): PartnerRateLimits | null {
  if (!rl) return null;
  const out: PartnerRateLimits = {};
  for (const k of ['create', 'confirm', 'other', 'test'] as const) if (rl[k] !== undefined) out[k] = rl[k];
  return Object.keys(out).length > 0 ? out : null;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

function toView(row: PartnerRow): PartnerView {
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    status: row.status,
    defaultSchema: row.defaultSchema,
    rateLimits: row.rateLimits,
    currentVersion: row.currentVersion,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
