import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '@app/audit';
import { AdminKeysRepository } from './admin-keys.repository';
import { AdminKeysService } from './admin-keys.service';
import { ApiKeysRepository } from './api-keys.repository';
import { ApiKeysService } from './api-keys.service';
import { ApiKeyAuthCache } from './auth-cache';
import { AdminKeyEntity } from './entities/admin-key.entity';
import { ApiKeyEntity } from './entities/api-key.entity';
import { PartnerEntity } from './entities/partner.entity';
import { PartnersRepository } from './partners.repository';
import { PartnersService } from './partners.service';
import { SecretBox } from './secret-box';

/** Partners, their API keys, admin keys. Needs the global DatabaseModule and CoreConfigModule. */
@Module({
  imports: [TypeOrmModule.forFeature([PartnerEntity, ApiKeyEntity, AdminKeyEntity]), AuditModule],
  providers: [PartnersRepository, ApiKeysRepository, AdminKeysRepository, ApiKeyAuthCache, SecretBox, PartnersService, ApiKeysService, AdminKeysService],
  exports: [PartnersService, ApiKeysService, AdminKeysService, SecretBox],
})
export class PartnersModule {}
