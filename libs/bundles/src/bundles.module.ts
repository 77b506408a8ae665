import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '@app/audit';
import { PartnersModule } from '@app/partners';
import { ActiveConfigService } from './active-config.service';
import { BundlesRepository } from './bundles.repository';
import { BundlesService } from './bundles.service';
import { BundleVersionEntity } from './entities/bundle-version.entity';
import { OfferConfigEntity } from './entities/offer-config.entity';
import { OfferSchemaEntity } from './entities/offer-schema.entity';

@Module({
  imports: [TypeOrmModule.forFeature([BundleVersionEntity, OfferSchemaEntity, OfferConfigEntity]), PartnersModule, AuditModule],
  providers: [BundlesRepository, BundlesService, ActiveConfigService],
  exports: [BundlesService, ActiveConfigService],
})
export class BundlesModule {}
