import { Module } from '@nestjs/common';
import { AuditModule } from '@app/audit';
import { BundlesModule } from '@app/bundles';
import { PartnersModule } from '@app/partners';
import { ErasureRepository } from './erasure.repository';
import { ErasureService } from './erasure.service';

/** Erasure of a person (GDPR Art. 17). Needs the global DatabaseModule and CoreConfigModule (Clock). */
@Module({
  imports: [AuditModule, BundlesModule, PartnersModule],
  providers: [ErasureRepository, ErasureService],
  exports: [ErasureService],
})
export class PrivacyModule {}
