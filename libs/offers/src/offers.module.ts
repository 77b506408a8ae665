import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { BundlesModule } from '@app/bundles';
import { PartnersModule } from '@app/partners';
import { SchemasModule } from '@app/schemas';
import { CompiledSchemas } from './compiled-schemas';
import { IdempotencyRecordEntity } from './entities/idempotency-record.entity';
import { OfferEntity } from './entities/offer.entity';
import { QuoteEntity } from './entities/quote.entity';
import { OffersRepository } from './offers.repository';
import { OffersService } from './offers.service';

@Module({
  imports: [TypeOrmModule.forFeature([OfferEntity, QuoteEntity, IdempotencyRecordEntity]), BundlesModule, SchemasModule, PartnersModule],
  providers: [CompiledSchemas, OffersRepository, OffersService],
  exports: [OffersService],
})
export class OffersModule {}
