export * from './redis-connection';
export * from './counters';
export * from './shared-cache';
export * from './config-invalidation';
export * from './redis.module';
