export * from './config/app-config';
export * from './config/config.module';
export * from './errors/domain-error';
export * from './clock/clock';
export * from './money/money';
export * from './db/columns';
export * from './bundle/bundle.types';
