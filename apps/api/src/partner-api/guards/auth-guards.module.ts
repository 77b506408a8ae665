import { Module } from '@nestjs/common';
import { PartnersModule } from '@app/partners';
import { AuthFailThrottle } from './auth-fail-throttle';
import { PartnerApiKeyGuard } from './partner-api-key.guard';

/**
 * What the partner and admin guards need, with the one failed-auth counter both share.
 * Import it in any module whose controllers use PartnerApiAuth() or AdminRoute().
 */
@Module({
  imports: [PartnersModule],
  providers: [AuthFailThrottle, PartnerApiKeyGuard],
  exports: [AuthFailThrottle, PartnerApiKeyGuard, PartnersModule],
})
export class AuthGuardsModule {}
