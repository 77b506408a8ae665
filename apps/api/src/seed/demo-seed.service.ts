import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { BundlesService } from '@app/bundles';
import { APP_CONFIG, AppConfig } from '@app/core';
import { AdminKeysService, ApiKeysService, PartnersService } from '@app/partners';
import { DEMO_BUNDLE } from './demo-bundle';

const SEED_ACTOR = 'system:seed';

/**
 * SEED_DEMO: on start, create the DEMO partner with its bundle and a test key, once. The key is
 * printed once and written to DEMO_KEY_PATH; later starts find the partner and do nothing.
 * Without ADMIN_API_KEY, and while no admin key exists, it also makes an admin key for the console
 * (/console), printed once and written beside the demo key (admin-key.txt), so that a first
 * `npm start` can be looked at in a browser; it is an ordinary admin key, listed and revocable.
 */
@Injectable()
export class DemoSeedService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Seed');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly partners: PartnersService,
    private readonly bundles: BundlesService,
    private readonly keys: ApiKeysService,
    private readonly adminKeys: AdminKeysService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.seedDemo) return;
    await this.seed();
    await this.seedAdminKey();
  }

  /** where the console's admin key is written: beside the demo key */
  get adminKeyPath(): string {
    return join(dirname(this.config.demoKeyPath), 'admin-key.txt');
  }

  /** Returns the new admin key when it made one: only without ADMIN_API_KEY and while there is no admin key at all (revoked ones count). */
  async seedAdminKey(): Promise<string | null> {
    if (this.config.adminApiKey !== undefined) return null;
    if ((await this.adminKeys.list()).length > 0) return null;
    const created = await this.adminKeys.create('console (demo seed)', { actor: SEED_ACTOR, requestId: null });
    mkdirSync(dirname(this.adminKeyPath), { recursive: true });
    writeFileSync(this.adminKeyPath, `${created.key}\n`, { mode: 0o600 });
    // printed once, as the demo key: the operator's only sight of it besides the file
    process.stdout.write(
      `\nAdmin key for the console at /console (shown once, also in ${this.adminKeyPath}; revoke it with DELETE /admin/admin-keys/${created.id}):\n\n  ${created.key}\n\n`,
    );
    this.logger.log(`admin key ${created.prefix}… for the console written to ${this.adminKeyPath}`);
    return created.key;
  }

  /** Returns the new test key when it seeded, null when DEMO already existed. */
  async seed(): Promise<string | null> {
    const code = DEMO_BUNDLE.partner.code;
    const ctx = { actor: SEED_ACTOR, requestId: null };
    const existing = await this.partners.find(code);
    // a DEMO partner with a bundle and a key is left alone; a seed that stopped half-way is finished
    if (!existing || existing.currentVersion === 0) await this.bundles.write(code, DEMO_BUNDLE, ctx, 'bundle.seed');
    if (existing && (await this.keys.list(code)).length > 0) return null;
    const key = await this.keys.create(code, { mode: 'test', name: 'demo' }, ctx);
    mkdirSync(dirname(this.config.demoKeyPath), { recursive: true });
    writeFileSync(this.config.demoKeyPath, `${key.key}\n`, { mode: 0o600 });
    // printed once, on purpose: this is the operator's only sight of the demo key besides the file
    process.stdout.write(`\nDemo partner DEMO seeded. Its test API key (shown once, also in ${this.config.demoKeyPath}):\n\n  ${key.key}\n\n`);
    this.logger.log(`DEMO partner seeded; test key ${key.prefix}… written to ${this.config.demoKeyPath}`);
    return key.key;
  }
}
