import { Module } from '@nestjs/common';
import { SchemaValidatorCache } from './schema-validator-cache';

/** Offer-schema validation: one Ajv instance and the compiled-validator cache (a singleton provider). */
@Module({
  providers: [SchemaValidatorCache],
  exports: [SchemaValidatorCache],
})
export class SchemasModule {}
