/**
 * The one place that reads process.env (with ormconfig.ts). Every environment variable is parsed
 * and validated here; a bad value stops the process with a message naming the variable.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export interface AppConfig {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  sqlitePath: string;
  sqliteSynchronous: 'FULL' | 'NORMAL';
  /**
   * PG_NAMED_STATEMENTS: the hot paths' fixed SQL runs as named (prepared) statements on
   * PostgreSQL (default true); false for a pooler that cannot keep them (PgBouncer in transaction
   * mode before 1.21, or without max_prepared_statements)
   */
  pgNamedStatements?: boolean;
  redisUrl: string | undefined;
  /** REDIS_KEY_PREFIX: namespace of every Redis key and channel, so deployments can share a Redis (default `offers:`) */
  redisKeyPrefix?: string;
  adminApiKey: string | undefined;
  seedDemo: boolean;
  demoKeyPath: string;
  configCacheTtlS: number;
  maxBodyBytes: number;
  /** admin routes carry whole bundles (schemas up to 256 kB each) */
  adminMaxBodyBytes: number;
  apiPrefixes: string[];
  trustProxy: string | undefined;
  /** APP_ENCRYPTION_KEY: the current key, encrypting new signing secrets (AES-256-GCM) */
  appEncryptionKey: Buffer | undefined;
  /**
   * its key id, written into every envelope (`APP_ENCRYPTION_KEY=<kid>:<base64>`); when unset,
   * one is derived from the key itself (see libs/partners SecretBox)
   */
  appEncryptionKeyId?: string;
  /** APP_ENCRYPTION_KEYS_OLD: retired keys, still decrypting envelopes written under them */
  appEncryptionKeysOld?: EncryptionKeyEntry[];
  signatureMaxSkewS: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** LOG_SYNC: write each log line as it is logged (default: buffered, 4 kB or 1 s, flushed at exit) */
  logSync: boolean;
  authFailLimitPerMin: number;
  /** OFFER_BUILD_THREADS: worker threads building offers off the event loop (0 = in process) */
  offerBuildThreads: number;
  /**
   * WARMUP_MAX_SECONDS: after start, the instance rehearses Create Offer for each active partner
   * until its cost settles (at most this long) before /health/ready answers 200; 0 skips it
   */
  warmupMaxSeconds: number;
  /** WEBHOOKS_ENABLED: deliver webhooks from this instance (false: events are still recorded, nothing is sent) */
  webhooksEnabled: boolean;
  /** WEBHOOK_CONCURRENCY: deliveries in flight per instance */
  webhookConcurrency: number;
  /** WEBHOOK_TIMEOUT_MS: time for a receiver to answer */
  webhookTimeoutMs: number;
  /** WEBHOOK_MAX_AGE_H: retry window of a delivery before it is failed */
  webhookMaxAgeH: number;
  /** WEBHOOK_ALLOW_HTTP: allow http:// endpoint URLs (tests, private setups) */
  webhookAllowHttp: boolean;
  /** WEBHOOK_ALLOW_PRIVATE_NETWORKS: allow loopback, private and link-local targets (tests, private setups) */
  webhookAllowPrivateNetworks: boolean;
  /** WEBHOOK_POLL_MS: how often an idle instance looks for deliveries that are due */
  webhookPollMs: number;
  /** RETENTION_ENABLED: run the retention purge from this instance (one instance at a time holds its lease) */
  retentionEnabled: boolean;
  /**
   * OFFER_RETENTION_DAYS: an offer never bought (OFFERED or OPTED_OUT) is deleted this many days
   * after its expiry, its counts kept in the analytics roll-ups; 0 keeps offers forever
   */
  offerRetentionDays: number;
  /** OFFER_RETENTION_SECONDS: when set, the retention in seconds instead of days (tests, demos); 0 keeps */
  offerRetentionSeconds: number | undefined;
  /** RETENTION_INTERVAL_S: how often the purge runs */
  retentionIntervalS: number;
  /**
   * RETENTION_BATCH_SIZE: offers (or other rows) deleted per transaction, at most 1000; unset:
   * 1000 on PostgreSQL, 200 on SQLite (whose one writer the batch holds)
   */
  retentionBatchSize: number | undefined;
  /**
   * RETENTION_PAUSE_MS: the pause between two batches, so requests get the database in between;
   * unset: 100 ms on PostgreSQL, 1000 ms on SQLite
   */
  retentionPauseMs: number | undefined;
  /** WEBHOOK_DELIVERY_RETENTION_DAYS: a delivery delivered or failed for good is deleted this many days later; 0 keeps */
  webhookDeliveryRetentionDays: number;
  /**
   * PUBLIC_DIR: where `npm run build` writes the browser builds the API serves (`offer-panel.js`,
   * `console/`); default `dist/public` of the project (defaultPublicDir)
   */
  publicDir: string;
  nodeEnv: string;
}

/** One encryption key with its id (`id` undefined → derived from the key). */
export interface EncryptionKeyEntry {
  id: string | undefined;
  key: Buffer;
}

/** a key id: safe inside a dotted envelope */
export const ENCRYPTION_KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * `<base64>` or `<kid>:<base64>` (base64 has no `:`), 32 bytes. Returns a problem message
 * (naming `variable`) instead of throwing.
 */
export function parseEncryptionKey(raw: string, variable: string): EncryptionKeyEntry | string {
  const colon = raw.indexOf(':');
  const id = colon >= 0 ? raw.slice(0, colon).trim() : undefined;
  const material = (colon >= 0 ? raw.slice(colon + 1) : raw).trim();
  if (id !== undefined && !ENCRYPTION_KEY_ID_PATTERN.test(id)) return `${variable}: key id "${id}" must match ${ENCRYPTION_KEY_ID_PATTERN.source}`;
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(material)) return `${variable} must be 32 bytes encoded in base64`;
  const key = Buffer.from(material, 'base64');
  if (key.length !== 32) return `${variable} must be 32 bytes encoded in base64`;
  return { id, key };
}

export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigValidationError';
  }
}

type Env = Record<string, string | undefined>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export function loadConfig(env: Env = process.env): AppConfig {
  const problems: string[] = [];
  const str = (name: string, def?: string): string | undefined => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? def : v.trim();
  };
  const int = (name: string, def: number, min: number, max: number): number => {
    const raw = str(name);
    if (raw === undefined) return def;
    if (!/^\d+$/.test(raw)) {
      problems.push(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
      return def;
    }
    const n = Number(raw);
    if (n < min || n > max) problems.push(`${name} must be between ${min} and ${max}, got ${n}`);
    return n;
  };
  const bool = (name: string, def: boolean): boolean => {
    const raw = str(name);
    if (raw === undefined) return def;
    const v = raw.toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(v)) return true;
    if (['0', 'false', 'no', 'off'].includes(v)) return false;
    problems.push(`${name} must be true or false, got "${raw}"`);
    return def;
  };

  const databaseUrl = str('DATABASE_URL');
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push('DATABASE_URL must start with postgres:// or postgresql://');
  }
  const redisUrl = str('REDIS_URL');
  if (redisUrl !== undefined && !/^rediss?:\/\//.test(redisUrl)) {
    problems.push('REDIS_URL must start with redis:// or rediss://');
  }
  const redisKeyPrefix = str('REDIS_KEY_PREFIX', 'offers:') as string;
  if (!/^[A-Za-z0-9:_.{}-]{1,64}$/.test(redisKeyPrefix)) problems.push('REDIS_KEY_PREFIX must be 1-64 characters among A-Z a-z 0-9 : _ . - { }');
  const adminApiKey = str('ADMIN_API_KEY');
  if (adminApiKey !== undefined && adminApiKey.length < 16) {
    problems.push('ADMIN_API_KEY must be at least 16 characters');
  }
  const prefixes = (str('API_PREFIXES', '/x,/xcover') as string)
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0)
    .map((p) => (p.endsWith('/') ? p.slice(0, -1) : p));
  if (prefixes.length === 0) problems.push('API_PREFIXES must name at least one prefix');
  for (const p of prefixes) {
    if (!/^\/[A-Za-z0-9_\-/]*$/.test(p) || p.startsWith('/admin') || p === '') {
      problems.push(`API_PREFIXES entry "${p}" must look like /x (and not be /admin)`);
    }
  }
  let appEncryptionKey: Buffer | undefined;
  let appEncryptionKeyId: string | undefined;
  const encRaw = str('APP_ENCRYPTION_KEY');
  if (encRaw !== undefined) {
    const parsed = parseEncryptionKey(encRaw, 'APP_ENCRYPTION_KEY');
    if (typeof parsed === 'string') problems.push(parsed);
    else {
      appEncryptionKey = parsed.key;
      appEncryptionKeyId = parsed.id;
    }
  }
  const appEncryptionKeysOld: EncryptionKeyEntry[] = [];
  const oldRaw = str('APP_ENCRYPTION_KEYS_OLD');
  if (oldRaw !== undefined) {
    if (encRaw === undefined) problems.push('APP_ENCRYPTION_KEYS_OLD needs APP_ENCRYPTION_KEY (the current key)');
    for (const entry of oldRaw
      .split(',')
      .map((e) => e.trim())
      .filter((e) => e.length > 0)) {
      const parsed = parseEncryptionKey(entry, 'APP_ENCRYPTION_KEYS_OLD');
      if (typeof parsed === 'string') problems.push(parsed);
      else appEncryptionKeysOld.push(parsed);
    }
  }
  const logLevel = (str('LOG_LEVEL', 'info') as string).toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  }
  const sync = (str('SQLITE_SYNCHRONOUS', 'FULL') as string).toUpperCase();
  if (sync !== 'FULL' && sync !== 'NORMAL') problems.push('SQLITE_SYNCHRONOUS must be FULL or NORMAL');

  const config: AppConfig = {
    port: int('PORT', 3000, 0, 65535),
    host: str('HOST', '0.0.0.0') as string,
    databaseUrl,
    sqlitePath: str('SQLITE_PATH', './data/offers.sqlite') as string,
    sqliteSynchronous: sync === 'NORMAL' ? 'NORMAL' : 'FULL',
    pgNamedStatements: bool('PG_NAMED_STATEMENTS', true),
    redisUrl,
    redisKeyPrefix,
    adminApiKey,
    seedDemo: bool('SEED_DEMO', true),
    demoKeyPath: str('DEMO_KEY_PATH', './data/demo-key.txt') as string,
    configCacheTtlS: int('CONFIG_CACHE_TTL_S', 300, 1, 86400),
    maxBodyBytes: int('MAX_BODY_BYTES', 102400, 1024, 50 * 1024 * 1024),
    adminMaxBodyBytes: int('ADMIN_MAX_BODY_BYTES', 5 * 1024 * 1024, 1024, 100 * 1024 * 1024),
    apiPrefixes: prefixes,
    trustProxy: str('TRUST_PROXY'),
    appEncryptionKey,
    appEncryptionKeyId,
    appEncryptionKeysOld,
    signatureMaxSkewS: int('SIGNATURE_MAX_SKEW_S', 900, 1, 86400),
    logLevel: logLevel as AppConfig['logLevel'],
    logSync: bool('LOG_SYNC', false),
    authFailLimitPerMin: int('AUTH_FAIL_LIMIT_PER_MIN', 20, 1, 100000),
    offerBuildThreads: int('OFFER_BUILD_THREADS', defaultBuildThreads(), 0, 64),
    warmupMaxSeconds: int('WARMUP_MAX_SECONDS', 10, 0, 120),
    webhooksEnabled: bool('WEBHOOKS_ENABLED', true),
    webhookConcurrency: int('WEBHOOK_CONCURRENCY', 8, 1, 256),
    webhookTimeoutMs: int('WEBHOOK_TIMEOUT_MS', 10_000, 100, 120_000),
    webhookMaxAgeH: int('WEBHOOK_MAX_AGE_H', 72, 1, 24 * 30),
    webhookAllowHttp: bool('WEBHOOK_ALLOW_HTTP', false),
    webhookAllowPrivateNetworks: bool('WEBHOOK_ALLOW_PRIVATE_NETWORKS', false),
    webhookPollMs: int('WEBHOOK_POLL_MS', 1000, 10, 60_000),
    retentionEnabled: bool('RETENTION_ENABLED', true),
    offerRetentionDays: int('OFFER_RETENTION_DAYS', 30, 0, 36_500),
    offerRetentionSeconds: str('OFFER_RETENTION_SECONDS') === undefined ? undefined : int('OFFER_RETENTION_SECONDS', 0, 0, 36_500 * 86_400),
    retentionIntervalS: int('RETENTION_INTERVAL_S', 300, 1, 86_400),
    retentionBatchSize: str('RETENTION_BATCH_SIZE') === undefined ? undefined : int('RETENTION_BATCH_SIZE', 1000, 1, 1000),
    retentionPauseMs: str('RETENTION_PAUSE_MS') === undefined ? undefined : int('RETENTION_PAUSE_MS', 100, 0, 60_000),
    webhookDeliveryRetentionDays: int('WEBHOOK_DELIVERY_RETENTION_DAYS', 30, 0, 36_500),
    publicDir: resolve(str('PUBLIC_DIR') ?? defaultPublicDir()),
    nodeEnv: str('NODE_ENV', 'production') as string,
  };
  if (problems.length > 0) throw new ConfigValidationError(problems);
  return config;
}

/** one build thread when the machine has a core beside the event loop's, else none */
function defaultBuildThreads(): number {
  return availableParallelism() > 1 ? 1 : 0;
}

/**
 * `dist/public` of the project: the first folder holding a package.json above this file. The same
 * whether this file runs from its source (ts-jest, ts-node) or from the build (dist/libs/core/…),
 * and whatever the working directory.
 */
export function defaultPublicDir(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) return resolve('dist/public');
    dir = parent;
  }
  return join(dir, 'dist', 'public');
}

/** Reads ./.env into the environment when present (variables already set win). */
export function loadDotEnv(path = '.env'): void {
  try {
    process.loadEnvFile(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}
