export * from './partner-ajv';
export * from './regex-safety';
export * from './offer-schema-document';
export * from './schema-validator-cache';
export * from './schemas.module';
